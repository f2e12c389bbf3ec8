#include "daemon/seen/seen_store.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <future>
#include <unordered_set>
#include <vector>

#include "common/timeutil.h"
#include "tail/checkpoint_store.h"
#include "transports/fd_write.h"

namespace homeo {
namespace {

constexpr std::string_view kHeader = "homeostasisd seen fingerprints v1\n";
constexpr int64_t kRewriteEveryMs = 3600 * 1000;

// A time in milliseconds, within what a nanosecond timestamp can hold (the year 2262).
constexpr int64_t kMaxMillis = INT64_MAX / 1000000;

bool parseInt(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0 && out <= kMaxMillis;
}

bool plainFingerprint(std::string_view fp) {
  return !fp.empty() && fp.size() <= 128 && std::all_of(fp.begin(), fp.end(), [](char c) {
    return c > ' ' && c != 0x7f && c != '\t';
  });
}

void appendLine(std::string& out, std::string_view fp, int64_t first, int64_t last) {
  out.append(fp).push_back('\t');
  out.append(std::to_string(first)).push_back('\t');
  out.append(std::to_string(last)).push_back('\n');
}

}  // namespace

SeenStore::SeenStore(std::string path, Options options)
    : path_(std::move(path)),
      dir_(std::filesystem::path(path_).parent_path().string()),
      options_(options) {}

SeenStore::~SeenStore() { writer_.stop(); }

bool SeenStore::load(int64_t now_ms, std::string* error) {
  entries_.clear();
  if (path_.empty()) return true;
  std::string text;
  if (const int err = readWhole(path_, text); err != 0 && err != ENOENT) {
    *error = "cannot read the seen fingerprints " + path_ + ": " + std::strerror(err) +
             "; every fingerprint is first seen again";
    return false;
  }
  parse(text);
  if (damaged_lines_ > 0) {
    spdlog::warn("{}: {} damaged lines skipped (their fingerprints are first seen again)", path_,
                 damaged_lines_);
  }
  // At start, on the caller's thread (before the loop runs); later rewrites on the writer.
  const std::string data = snapshot(now_ms);
  if (!writeCheckpointFile(dir_, path_, data, error)) {
    ++write_failures_;
    *error = "cannot write the seen fingerprints: " + *error;
    return false;
  }
  return true;
}

void SeenStore::parse(std::string_view text) {
  if (text.substr(0, kHeader.size()) != kHeader) {
    if (!text.empty()) ++damaged_lines_;  // not our file: every line is suspect
    return;
  }
  text.remove_prefix(kHeader.size());
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {  // cut by a crash while appending
      ++damaged_lines_;
      break;
    }
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    const size_t t1 = line.find('\t');
    const size_t t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    int64_t first = 0, last = 0;
    if (t2 == std::string_view::npos || !plainFingerprint(line.substr(0, t1)) ||
        !parseInt(line.substr(t1 + 1, t2 - t1 - 1), first) ||
        !parseInt(line.substr(t2 + 1), last)) {
      ++damaged_lines_;
      continue;
    }
    auto [it, added] = entries_.try_emplace(std::string(line.substr(0, t1)), Entry{first, last});
    if (!added) {
      it->second.first_ms = std::min(it->second.first_ms, first);
      it->second.last_ms = std::max(it->second.last_ms, last);
    }
  }
}

SeenStore::Seen SeenStore::observe(std::string_view fingerprint, int64_t when_ms, int64_t now_ms) {
  auto it = entries_.find(fingerprint);  // no copy: called for every record
  if (it != entries_.end()) {
    it->second.last_ms = std::max(it->second.last_ms, now_ms);
    return {false, it->second.first_ms};
  }
  if (!plainFingerprint(fingerprint)) return {true, when_ms};  // never stored
  entries_.emplace(std::string(fingerprint), Entry{when_ms, now_ms});
  pending_.emplace_back(0, std::string(fingerprint));
  ++unassigned_;
  return {true, when_ms};
}

SeenStore::Seen SeenStore::mark(ErrorRecord& r, int64_t now_ms) {
  const Seen seen = observe(r.fingerprint, r.time != 0 ? r.time / 1000000 : now_ms, now_ms);
  setField(r.metadata_extra, "first_seen", seen.first);
  setField(r.metadata_extra, "first_seen_at", formatRfc3339(seen.first_at_ms * 1000000));
  return seen;
}

void SeenStore::assign(uint64_t seq) {
  for (size_t i = pending_.size() - unassigned_; i < pending_.size(); ++i) {
    pending_[i].first = seq;
  }
  unassigned_ = 0;
}

void SeenStore::acked(uint64_t seq, int64_t now_ms) {
  std::string lines;
  while (pending_.size() > unassigned_ && pending_.front().first <= seq) {
    const auto it = entries_.find(pending_.front().second);
    if (it != entries_.end()) {
      appendLine(lines, it->first, it->second.first_ms, it->second.last_ms);
      ++file_lines_;
    }
    pending_.pop_front();
  }
  if (path_.empty()) return;
  if (!lines.empty()) {
    write([this, lines = std::move(lines)] {
      const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      size_t written = 0;
      const int err = fd < 0 ? errno : writeFully(fd, lines, written);
      if (fd >= 0) ::close(fd);
      if (err != 0 && write_failures_++ == 0) {
        spdlog::warn(
            "cannot append to the seen fingerprints {}: {} (tried again at the next "
            "rewrite)",
            path_, std::strerror(err));
      }
    });
  }
  if (file_lines_ > 2 * entries_.size() + 1000 || now_ms - rewritten_at_ms_ >= kRewriteEveryMs ||
      entries_.size() > options_.max_entries + options_.max_entries / 10) {
    write([this, data = snapshot(now_ms)] {
      std::string error;
      if (!writeCheckpointFile(dir_, path_, data, &error)) {
        ++write_failures_;
        spdlog::warn("cannot write the seen fingerprints: {}", error);
      }
    });
  }
}

void SeenStore::write(std::function<void()> job) {
  if (!writer_.post(std::move(job)) && write_failures_++ == 0) {
    spdlog::warn(
        "the seen fingerprints' writer is behind; {} is brought up to date at its next "
        "rewrite",
        path_);
  }
}

void SeenStore::flush() {
  std::promise<void> done;
  if (writer_.post([&done] { done.set_value(); })) done.get_future().wait();
}

void SeenStore::evict(int64_t now_ms, const std::unordered_set<std::string_view>& pending) {
  const int64_t forget_before = now_ms - options_.forget_after.count();
  std::erase_if(entries_, [&](const auto& e) {
    return e.second.last_ms < forget_before && !pending.count(e.first);
  });
  if (entries_.size() <= options_.max_entries) return;
  // The least recently seen go first.
  std::vector<std::pair<int64_t, const std::string*>> order;
  order.reserve(entries_.size());
  for (const auto& [fp, e] : entries_) {
    if (!pending.count(fp)) order.emplace_back(e.last_ms, &fp);
  }
  const size_t drop = std::min(order.size(), entries_.size() - options_.max_entries);
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(drop), order.end());
  std::vector<std::string> gone;
  for (size_t i = 0; i < drop; ++i) gone.push_back(*order[i].second);
  for (const auto& fp : gone) entries_.erase(fp);
}

std::string SeenStore::snapshot(int64_t now_ms) {
  // Fingerprints whose first batch is not acknowledged yet are neither forgotten nor written.
  std::unordered_set<std::string_view> pending;
  for (const auto& [seq, fp] : pending_) pending.insert(fp);
  evict(now_ms, pending);
  rewritten_at_ms_ = now_ms;
  std::string text(kHeader);
  file_lines_ = 0;
  for (const auto& [fp, e] : entries_) {
    if (pending.count(fp)) continue;
    appendLine(text, fp, e.first_ms, e.last_ms);
    ++file_lines_;
  }
  return text;
}

}  // namespace homeo
