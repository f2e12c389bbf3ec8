#include "transports/append_file.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "transports/fd_write.h"

namespace homeo {

namespace {

std::string errorText(int err) { return std::generic_category().message(err); }

}  // namespace

AppendFile::AppendFile(std::string path, bool fsync, Sharing sharing, std::string what)
    : path_(std::move(path)), fsync_(fsync), sharing_(sharing), what_(std::move(what)) {}

AppendFile::~AppendFile() { close(); }

void AppendFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool AppendFile::rotated() const {
  struct stat by_path, by_fd;
  if (::stat(path_.c_str(), &by_path) != 0) return true;  // removed or renamed away
  if (::fstat(fd_, &by_fd) != 0) return true;
  return by_path.st_ino != by_fd.st_ino || by_path.st_dev != by_fd.st_dev;
}

bool AppendFile::ensureOpen(std::string& reason) {
  if (fd_ >= 0 && rotated()) {
    spdlog::info("{}: {} was rotated or removed; reopening it", what_, path_);
    close();
    torn_ = false;  // the partial line stays in the old file
  }
  if (fd_ >= 0) return true;
  struct stat st;
  const bool existed = ::stat(path_.c_str(), &st) == 0;
  if (!existed) {
    if (const int err = makeParentDirs(path_); err != 0) {
      reason = "create directory for " + path_ + ": " + errorText(err);
      return false;
    }
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
  if (fd_ < 0) {
    reason = "open " + path_ + ": " + errorText(errno);
    return false;
  }
  if (!existed && fsync_) syncParentDir(path_);
  return true;
}

std::optional<off_t> AppendFile::size(std::string& reason) {
  if (!ensureOpen(reason)) return std::nullopt;
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    reason = "stat " + path_ + ": " + errorText(errno);
    close();
    return std::nullopt;
  }
  return st.st_size;
}

bool AppendFile::append(std::string_view lines, std::string& reason, off_t* start) {
  std::optional<off_t> before = size(reason);
  if (!before) return false;

  int err = 0;
  if (torn_) {
    // End the partial line a failed attempt left. It stays ended when this append is taken
    // back: the lines start after it.
    size_t ended = 0;
    err = writeFully(fd_, "\n", ended);
    if (err == 0) torn_ = false;
    *before += static_cast<off_t>(ended);
  }
  if (start != nullptr) *start = *before;
  size_t written = 0;
  if (err == 0) err = writeFully(fd_, lines, written);
  bool sync_failed = false;
  if (err == 0 && fsync_ && ::fdatasync(fd_) != 0) {
    err = errno;
    sync_failed = true;
  }
  if (err == 0) return true;
  reason = (sync_failed ? "fdatasync " : "write ") + path_ + ": " + errorText(err);
  if (written > 0) {
    // Take back what this attempt wrote, so the retry neither duplicates nor tears lines.
    if (sharing_ == Sharing::kShared || ::ftruncate(fd_, *before) != 0) torn_ = true;
  }
  // After a failed fdatasync the page cache cannot be trusted either: reopen on the next try.
  if (sync_failed) close();
  return false;
}

bool AppendFile::truncate(off_t size, std::string& reason) {
  if (sharing_ == Sharing::kShared) {
    reason = "truncate " + path_ + ": the file is shared with another writer";
    return false;
  }
  int err = 0;
  if (fd_ < 0) {
    err = EBADF;
  } else if (::ftruncate(fd_, size) != 0 || (fsync_ && ::fdatasync(fd_) != 0)) {
    err = errno;
  }
  if (err == 0) return true;
  reason = "truncate " + path_ + ": " + errorText(err);
  torn_ = true;  // whatever is past `size` may still be there, maybe a partial line
  close();
  return false;
}

}  // namespace homeo
