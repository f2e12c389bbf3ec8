#include "tail/checkpoint_file.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace homeo {
namespace {

// v2 adds the previous content's offset and fingerprint before the path; v1 files (without
// them) are still read. v3 adds journal checkpoints (`journal` lines: resume, done, its time,
// the held cursors joined by ',' and the key, tab-separated); it is written only when there
// are any, so a file without them stays readable by older versions.
constexpr std::string_view kHeader = "homeostasisd-checkpoints v2";
constexpr std::string_view kHeaderV1 = "homeostasisd-checkpoints v1";
constexpr std::string_view kHeaderV3 = "homeostasisd-checkpoints v3";
constexpr std::string_view kJournalTag = "journal\t";
constexpr std::string_view kTrailer = "end ";

// Digits only (the file is written so): no sign, no spaces, nothing after them.
bool parseUnsigned(std::string_view s, int base, uint64_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

// Splits the next `count` tab-terminated fields off `rest`; what is left stays in `rest`.
bool splitFields(std::string_view& rest, std::string_view* fields, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const size_t tab = rest.find('\t');
    if (tab == std::string_view::npos) return false;
    fields[i] = rest.substr(0, tab);
    rest.remove_prefix(tab + 1);
  }
  return true;
}

bool parseJournal(std::string_view line, CheckpointFile& out) {
  std::string_view f[4];
  std::string_view key = line.substr(kJournalTag.size());
  JournalCheckpoint j;
  if (!splitFields(key, f, 4) || key.empty() || !parseUnsigned(f[2], 10, j.done_realtime_usec)) {
    return false;
  }
  j.resume = f[0];
  j.done = f[1];
  const std::string_view held = f[3];
  for (size_t from = 0; from < held.size();) {
    const size_t comma = std::min(held.find(',', from), held.size());
    if (comma > from) j.held.emplace_back(held.substr(from, comma - from));
    from = comma + 1;
  }
  out.journals[std::string(key)] = std::move(j);
  return true;
}

// dev, ino, offset, fingerprint length, fingerprint hash, [previous offset, previous
// fingerprint length, previous fingerprint hash,] path: tab-separated, the path last.
bool parseFile(std::string_view line, bool v1, CheckpointFile& out) {
  std::string_view f[8];
  std::string_view path = line;
  const size_t numeric = v1 ? 5 : 8;
  Checkpoint c;
  uint64_t fp_len = 0, prev_fp_len = 0;
  if (!splitFields(path, f, numeric) || path.empty() || !parseUnsigned(f[0], 10, c.dev) ||
      !parseUnsigned(f[1], 10, c.ino) || !parseUnsigned(f[2], 10, c.offset) ||
      !parseUnsigned(f[3], 10, fp_len) || !parseUnsigned(f[4], 16, c.fp_hash) ||
      fp_len > UINT32_MAX) {
    return false;
  }
  if (!v1 && (!parseUnsigned(f[5], 10, c.prev_offset) || !parseUnsigned(f[6], 10, prev_fp_len) ||
              !parseUnsigned(f[7], 16, c.prev_fp_hash) || prev_fp_len > UINT32_MAX)) {
    return false;
  }
  c.path = path;
  c.fp_len = static_cast<uint32_t>(fp_len);
  c.prev_fp_len = static_cast<uint32_t>(prev_fp_len);
  out.files[{c.dev, c.ino}] = std::move(c);
  return true;
}

bool fail(CheckpointFile& out, std::string* error, std::string why) {
  out = {};
  if (error) *error = std::move(why);
  return false;
}

}  // namespace

bool parseCheckpoints(std::string_view text, CheckpointFile& out, std::string* error) {
  out = {};
  // Lines end in '\n'; a last line without one counts too, an empty rest after the last does not.
  size_t pos = 0;
  size_t line_no = 0;
  auto next = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    const size_t nl = std::min(text.find('\n', pos), text.size());
    line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    return true;
  };
  std::string_view line;
  if (!next(line)) return fail(out, error, "empty file");
  if (line != kHeader && line != kHeaderV1 && line != kHeaderV3) {
    return fail(out, error, "line 1: not a checkpoint file header");
  }
  const bool v1 = line == kHeaderV1;
  const bool v3 = line == kHeaderV3;
  size_t seen = 0;
  while (next(line)) {
    if (line.starts_with(kTrailer)) {
      // The trailer proves the file was written whole.
      uint64_t expected = 0;
      if (!parseUnsigned(line.substr(kTrailer.size()), 10, expected)) {
        return fail(out, error, "line " + std::to_string(line_no) + ": a damaged trailer");
      }
      if (expected != seen) {
        return fail(out, error,
                    "line " + std::to_string(line_no) + ": its trailer counts " +
                        std::to_string(expected) + " checkpoints, the file holds " +
                        std::to_string(seen));
      }
      return true;
    }
    const bool ok =
        v3 && line.starts_with(kJournalTag) ? parseJournal(line, out) : parseFile(line, v1, out);
    if (!ok) {
      return fail(out, error, "line " + std::to_string(line_no) + ": not a checkpoint");
    }
    ++seen;
  }
  return fail(out, error, "cut short after line " + std::to_string(line_no) + " (no trailer)");
}

std::string formatCheckpoints(const CheckpointFile& content) {
  std::string data(content.journals.empty() ? kHeader : kHeaderV3);
  data.push_back('\n');
  for (const auto& [key, c] : content.files) {
    char fp[96];
    std::snprintf(fp, sizeof fp, "%u\t%016" PRIx64 "\t%" PRIu64 "\t%u\t%016" PRIx64, c.fp_len,
                  c.fp_hash, c.prev_offset, c.prev_fp_len, c.prev_fp_hash);
    data += std::to_string(c.dev) + '\t' + std::to_string(c.ino) + '\t' + std::to_string(c.offset) +
            '\t' + fp + '\t' + c.path + '\n';
  }
  for (const auto& [key, j] : content.journals) {
    data.append(kJournalTag).append(j.resume).append(1, '\t').append(j.done).append(1, '\t');
    data.append(std::to_string(j.done_realtime_usec)).append(1, '\t');
    for (size_t i = 0; i < j.held.size(); ++i) data.append(i ? "," : "").append(j.held[i]);
    data.append(1, '\t').append(key).append(1, '\n');
  }
  data +=
      std::string(kTrailer) + std::to_string(content.files.size() + content.journals.size()) + "\n";
  return data;
}

}  // namespace homeo
