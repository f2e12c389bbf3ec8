#include "transports/file/file_transport.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <system_error>

#include "transports/fd_write.h"

namespace homeo {

namespace {

std::string errorText(int err) { return std::generic_category().message(err); }

}  // namespace

FileTransport::FileTransport(boost::asio::any_io_executor loop, std::string path, bool fsync)
    : ThreadedTransport(std::move(loop)), path_(std::move(path)), fsync_(fsync) {}

FileTransport::~FileTransport() { stop(); }

bool FileTransport::open(std::string& reason) {
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

void FileTransport::closeFd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FileTransport::rotated() const {
  struct stat by_path, by_fd;
  if (::stat(path_.c_str(), &by_path) != 0) return true;  // removed or renamed away
  if (::fstat(fd_, &by_fd) != 0) return true;
  return by_path.st_ino != by_fd.st_ino || by_path.st_dev != by_fd.st_dev;
}

SendResult FileTransport::deliver(const Batch& batch, std::string& reason) {
  if (fd_ >= 0 && rotated()) {
    spdlog::info("file transport: {} was rotated or removed; reopening it", path_);
    closeFd();
    torn_ = false;  // the partial line stays in the old file
  }
  if (fd_ < 0 && !open(reason)) return SendResult::kRetryable;

  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    reason = "stat " + path_ + ": " + errorText(errno);
    closeFd();
    return SendResult::kRetryable;
  }
  const off_t start = st.st_size;

  std::string data;
  if (torn_) data.push_back('\n');
  data += batch.ndjson();
  size_t written = 0;
  int err = writeFully(fd_, data, written);
  bool sync_failed = false;
  if (err == 0 && fsync_ && ::fdatasync(fd_) != 0) {
    err = errno;
    sync_failed = true;
  }
  if (err == 0) {
    torn_ = false;
    return SendResult::kAccepted;
  }
  reason = (sync_failed ? "fdatasync " : "write ") + path_ + ": " + errorText(err);
  // Take back what this attempt wrote, so the retry does not duplicate or tear lines. After a
  // failed fdatasync the page cache cannot be trusted either: reopen on the next attempt.
  if (written > 0 && ::ftruncate(fd_, start) != 0) torn_ = true;
  if (sync_failed) closeFd();
  return SendResult::kRetryable;
}

void FileTransport::close() { closeFd(); }

TransportFactory fileTransportFactory() {
  return {
      "file",
      "appends records as NDJSON to a file (options: path, fsync)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        std::optional<std::string> path = options.getString("path", diags, /*required=*/true);
        std::optional<bool> fsync = options.getBool("fsync", diags);
        options.rejectUnknown({"path", "fsync"}, "file transport", diags);
        if (path) {
          const config::OptionValue* value = options.find("path");
          const config::Location where = value ? value->where : options.where();
          if (path->empty() || path->front() != '/') {
            diags.push_back({where, "file transport: path must be absolute, got '" + *path + "'"});
          } else if (path->back() == '/') {
            diags.push_back({where, "file transport: path must name a file, got '" + *path + "'"});
          }
        }
        if (diags.size() != errors || !path) return nullptr;
        return std::make_unique<FileTransport>(ctx.executor, std::move(*path),
                                               fsync.value_or(true));
      },
  };
}

}  // namespace homeo
