#include "tail/file_follower.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace homeo {

namespace {

int openAt(const std::string& path, FileId id) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || FileId{st.st_dev, st.st_ino} != id) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

FileFollower::FileFollower(Start start, Settings settings, std::unique_ptr<LineSink> sink,
                           ReadCounters* counters, Clock::time_point now)
    : id_(start.id),
      path_(std::move(start.path)),
      settings_(settings),
      fd_(start.fd),
      read_offset_(start.offset),
      fp_(start.fp),
      old_fp_(start.previous_fp),
      old_offset_(start.previous_offset),
      splitter_(settings.max_line_bytes),
      sink_(std::move(sink)),
      counters_(counters),
      last_data_(now) {
  splitter_.reset(start.offset);
  sink_->restartAt(start.offset);
}

FileFollower::~FileFollower() {
  if (fd_ >= 0) ::close(fd_);
  if (resume_fd_ >= 0) ::close(resume_fd_);
}

void FileFollower::feedLine(std::string_view line, uint64_t offset, uint64_t end, bool cut) {
  ++counters_->lines;
  counters_->truncated += cut ? 1 : 0;
  sink_->addLine(line, offset, end);
}

bool FileFollower::truncated() {
  struct stat st {};
  return ::fstat(fd_, &st) == 0 &&
         (static_cast<uint64_t>(st.st_size) < read_offset_ || !fingerprintMatches(fd_, fp_));
}

bool FileFollower::reopen() {
  const int fd = openAt(path_, id_);
  if (fd < 0) return false;
  fd_ = fd;
  verify_ = true;
  return true;
}

bool FileFollower::reopenAt(const std::string& path) {
  if (fd_ >= 0) return true;
  const int fd = openAt(path, id_);
  if (fd < 0) return false;
  fd_ = fd;
  path_ = path;
  verify_ = true;
  return true;
}

FileFollower::Step FileFollower::read(std::span<char> buffer, Clock::time_point now) {
  if (fd_ < 0 && !reopen()) return Step::kMissing;
  if (handed_over_) {
    if (truncated()) {
      handed_over_ = false;
      return Step::kTruncated;
    }
    if (now - handed_over_since_ < settings_.rotate_wait) return Step::kIdle;
    handed_over_ = false;
    spdlog::info("{} was copied but not truncated; reading it on from offset {}", path_,
                 read_offset_);
  }
  if (verify_ && resume_fd_ < 0) {
    verify_ = false;
    if (truncated()) return Step::kTruncated;
  }
  const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(read_offset_));
  if (n < 0) {
    if (errno == EINTR) return Step::kMore;
    spdlog::warn("cannot read {}: {}", path_, std::strerror(errno));
    return Step::kIdle;
  }
  if (n == 0) {
    if (resume_fd_ < 0) return Step::kIdle;
    // The copy is read: go on with the truncated original from its start.
    ::close(fd_);
    fd_ = resume_fd_;
    resume_fd_ = -1;
    copy_path_.clear();
    finishPartialLine();
    restart();
    return Step::kRestarted;
  }
  // Before the lines go on: the records they make carry the fingerprint into the checkpoints
  // (one taken before the first read after a truncation would match any content).
  if (fp_.len < kFingerprintBytes && resume_fd_ < 0) fp_ = readFingerprint(fd_).value_or(fp_);
  const std::string_view chunk(buffer.data(), static_cast<size_t>(n));
  counters_->bytes += static_cast<uint64_t>(n);
  splitter_.feed(chunk, read_offset_,
                 [&](std::string_view line, uint64_t off, uint64_t end, bool cut) {
                   feedLine(line, off, end, cut);
                 });
  read_offset_ += static_cast<uint64_t>(n);
  last_data_ = now;
  return static_cast<size_t>(n) == buffer.size() ? Step::kMore : Step::kIdle;
}

bool FileFollower::readCopy(const std::string& copy_path) {
  const int cfd = ::open(copy_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (cfd < 0) return false;
  spdlog::info("{} was truncated; reading its last lines from the copy {}", path_, copy_path);
  resume_fd_ = fd_;
  fd_ = cfd;
  copy_path_ = copy_path;
  return true;
}

void FileFollower::restart() {
  if (fp_.len >= kMinCopyFingerprintBytes) {
    old_fp_ = fp_;
    // Where its last complete line ends: a partial line is read whole from the copy.
    old_offset_ = splitter_.consumed();
  }
  splitter_.reset(0);
  sink_->restartAt(0);
  read_offset_ = 0;
  fp_ = Fingerprint{};
}

void FileFollower::handOver(uint64_t offset, Clock::time_point now) {
  sink_->abandonAt(offset);
  splitter_.reset(offset);
  read_offset_ = offset;
  handed_over_ = true;
  handed_over_since_ = now;
}

void FileFollower::finishPartialLine() {
  splitter_.finish([&](std::string_view line, uint64_t off, uint64_t end, bool) {
    sink_->addLine(line, off, end);
  });
}

bool FileFollower::deleted() const {
  struct stat st {};
  return fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_nlink == 0;
}

void FileFollower::closeIdle() {
  if (fd_ < 0 || resume_fd_ >= 0) return;
  ::close(fd_);  // opened again on its next change
  fd_ = -1;
}

}  // namespace homeo
