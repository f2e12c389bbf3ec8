#include "tail/checkpoint_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace homeo {
namespace {

// v2 adds the previous content's offset and fingerprint before the path; v1 files (without
// them) are still read. v3 adds journal checkpoints (`journal` lines: resume, done, its time,
// the held cursors joined by ',' and the key, tab-separated); it is written only when there
// are any, so a file without them stays readable by older versions.
constexpr const char* kHeader = "homeostasisd-checkpoints v2";
constexpr const char* kHeaderV1 = "homeostasisd-checkpoints v1";
constexpr const char* kHeaderV3 = "homeostasisd-checkpoints v3";
constexpr std::string_view kJournalTag = "journal\t";

bool parseUnsigned(const std::string& s, int base, uint64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(s.c_str(), &end, base);
  return end && *end == '\0' && errno == 0;
}

bool writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool mkdirs(const std::string& dir) {
  if (dir.empty()) return false;
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0750) != 0 && errno != EEXIST) return false;
  }
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

bool prepareStateDir(const std::string& dir, std::string* error) {
  if (!mkdirs(dir)) {
    *error = "cannot create state directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  const std::string probe = dir + "/.write-test";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot write in state directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

CheckpointStore::CheckpointStore(std::string state_dir)
    : dir_(std::move(state_dir)), file_(dir_ + "/checkpoints") {}

bool CheckpointStore::load(std::string* error) {
  entries_.clear();
  journals_.clear();
  std::ifstream in(file_);
  existed_ = static_cast<bool>(in) || ::access((file_ + ".corrupt").c_str(), F_OK) == 0;
  if (!in) return true;  // first start
  std::string line;
  bool ok = static_cast<bool>(std::getline(in, line)) &&
            (line == kHeader || line == kHeaderV1 || line == kHeaderV3);
  const bool v1 = ok && line == kHeaderV1;
  const bool v3 = ok && line == kHeaderV3;
  size_t expected = 0, seen = 0;
  bool ended = false;
  while (ok && std::getline(in, line)) {
    if (line.rfind("end ", 0) == 0) {
      ended = true;
      expected = std::strtoull(line.c_str() + 4, nullptr, 10);
      break;
    }
    if (v3 && line.rfind(kJournalTag, 0) == 0) {
      std::istringstream fields(line.substr(kJournalTag.size()));
      JournalCheckpoint j;
      std::string realtime, held, key;
      ok = std::getline(fields, j.resume, '\t') && std::getline(fields, j.done, '\t') &&
           std::getline(fields, realtime, '\t') && std::getline(fields, held, '\t') &&
           std::getline(fields, key) && !key.empty() &&
           parseUnsigned(realtime, 10, j.done_realtime_usec);
      if (!ok) break;
      for (size_t from = 0; from < held.size();) {
        const size_t comma = std::min(held.find(',', from), held.size());
        if (comma > from) j.held.push_back(held.substr(from, comma - from));
        from = comma + 1;
      }
      journals_[key] = std::move(j);
      ++seen;
      continue;
    }
    // dev, ino, offset, fingerprint length, fingerprint hash, [previous offset, previous
    // fingerprint length, previous fingerprint hash,] path: tab-separated, the path last.
    Checkpoint c;
    std::istringstream fields(line);
    const size_t numeric = v1 ? 5 : 8;
    std::string f[8];
    for (size_t i = 0; ok && i < numeric; ++i)
      ok = static_cast<bool>(std::getline(fields, f[i], '\t'));
    ok = ok && static_cast<bool>(std::getline(fields, c.path));
    uint64_t fp_len = 0, prev_fp_len = 0;
    ok = ok && parseUnsigned(f[0], 10, c.dev) && parseUnsigned(f[1], 10, c.ino) &&
         parseUnsigned(f[2], 10, c.offset) && parseUnsigned(f[3], 10, fp_len) &&
         parseUnsigned(f[4], 16, c.fp_hash) && fp_len <= UINT32_MAX;
    if (ok && !v1) {
      ok = parseUnsigned(f[5], 10, c.prev_offset) && parseUnsigned(f[6], 10, prev_fp_len) &&
           parseUnsigned(f[7], 16, c.prev_fp_hash) && prev_fp_len <= UINT32_MAX;
    }
    if (!ok) break;
    c.fp_len = static_cast<uint32_t>(fp_len);
    c.prev_fp_len = static_cast<uint32_t>(prev_fp_len);
    entries_[{c.dev, c.ino}] = c;
    ++seen;
  }
  // The trailer proves the file was written whole.
  if (!ok || !ended || expected != seen) {
    entries_.clear();
    journals_.clear();
    const std::string aside = file_ + ".corrupt";
    ::rename(file_.c_str(), aside.c_str());
    *error = "checkpoint file " + file_ + " is corrupt (set aside as " + aside +
             "); files are read again from their start or end as read_from says";
    return false;
  }
  return true;
}

std::optional<std::string> CheckpointStore::snapshot() {
  if (!dirty_) return std::nullopt;
  std::string data = journals_.empty() ? kHeader : kHeaderV3;
  data.push_back('\n');
  for (const auto& [key, c] : entries_) {
    char fp[96];
    std::snprintf(fp, sizeof fp, "%u\t%016llx\t%llu\t%u\t%016llx", c.fp_len,
                  static_cast<unsigned long long>(c.fp_hash),
                  static_cast<unsigned long long>(c.prev_offset), c.prev_fp_len,
                  static_cast<unsigned long long>(c.prev_fp_hash));
    data += std::to_string(c.dev) + '\t' + std::to_string(c.ino) + '\t' + std::to_string(c.offset) +
            '\t' + fp + '\t' + c.path + '\n';
  }
  for (const auto& [key, j] : journals_) {
    data.append(kJournalTag).append(j.resume).append(1, '\t').append(j.done).append(1, '\t');
    data.append(std::to_string(j.done_realtime_usec)).append(1, '\t');
    for (size_t i = 0; i < j.held.size(); ++i) data.append(i ? "," : "").append(j.held[i]);
    data.append(1, '\t').append(key).append(1, '\n');
  }
  data += "end " + std::to_string(entries_.size() + journals_.size()) + "\n";
  dirty_ = false;
  return data;
}

bool CheckpointStore::save(std::string* error) {
  auto data = snapshot();
  if (!data) return true;
  if (!writeCheckpointFile(dir_, file_, *data, error)) {
    dirty_ = true;
    return false;
  }
  return true;
}

bool writeCheckpointFile(const std::string& dir, const std::string& file, const std::string& data,
                         std::string* error) {
  const std::string tmp = file + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    *error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  const bool written = writeAll(fd, data) && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!written) {
    *error = "cannot write " + tmp + ": " + std::strerror(saved_errno);
    return false;
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    *error = "cannot rename " + tmp + ": " + std::strerror(errno);
    return false;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

std::optional<Checkpoint> CheckpointStore::find(uint64_t dev, uint64_t ino) const {
  auto it = entries_.find({dev, ino});
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void CheckpointStore::set(const Checkpoint& c) {
  auto& e = entries_[{c.dev, c.ino}];
  if (e.dev == c.dev && e.ino == c.ino && e.offset == c.offset && e.fp_len == c.fp_len &&
      e.fp_hash == c.fp_hash && e.path == c.path && e.prev_offset == c.prev_offset &&
      e.prev_fp_len == c.prev_fp_len && e.prev_fp_hash == c.prev_fp_hash) {
    return;
  }
  e = c;
  dirty_ = true;
}

std::optional<JournalCheckpoint> CheckpointStore::findJournal(const std::string& key) const {
  auto it = journals_.find(key);
  if (it == journals_.end()) return std::nullopt;
  return it->second;
}

void CheckpointStore::setJournal(const std::string& key, const JournalCheckpoint& checkpoint) {
  auto [it, added] = journals_.try_emplace(key, checkpoint);
  if (!added && it->second == checkpoint) return;
  it->second = checkpoint;
  dirty_ = true;
}

void CheckpointStore::erase(uint64_t dev, uint64_t ino) {
  if (entries_.erase({dev, ino}) > 0) dirty_ = true;
}

}  // namespace homeo
