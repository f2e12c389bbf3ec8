#include "transports/homeostasis/homeostasis_transport.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <system_error>
#include <utility>

#include "common/level.h"
#include "transports/fd_write.h"
#include "transports/homeostasis/homeostasis_line.h"

namespace homeo {

namespace {

std::string errorText(int err) { return std::generic_category().message(err); }

// The temporary file a new window is written to before it is renamed over `path`: beside it
// (rename needs the same file system), hidden, and not matching a reader's `*.log` pattern.
std::string temporaryPath(const std::string& path) {
  const size_t slash = path.rfind('/');
  return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".tmp";
}

// Reads the whole file; nullopt with `reason` when it exists but cannot be read, an empty
// text when it does not exist.
std::optional<std::string> readWindowFile(const std::string& path, std::string& reason) {
  std::string text;
  const int err = readWhole(path, text);
  if (err == ENOENT) return std::string();
  if (err != 0) {
    reason = "read " + path + ": " + errorText(err);
    return std::nullopt;
  }
  return text;
}

}  // namespace

HomeostasisTransport::HomeostasisTransport(boost::asio::any_io_executor loop,
                                           HomeostasisOptions options)
    : ThreadedTransport(std::move(loop)), options_(std::move(options)), window_(options_.window) {
  if (options_.mode == HomeostasisOptions::Mode::kAppend) {
    append_ = std::make_unique<AppendFile>(options_.path, /*fsync=*/true,
                                           AppendFile::Sharing::kShared, "homeostasis transport");
  } else {
    archive_ = std::make_unique<ArchiveFile>(options_.archive, options_.archive_max_bytes,
                                             options_.archive_keep);
  }
}

HomeostasisTransport::~HomeostasisTransport() { stop(); }

void HomeostasisTransport::close() {
  if (append_) append_->close();
  if (archive_) archive_->close();
}

bool HomeostasisTransport::ownFile(std::string_view source_path) const {
  if (source_path.empty()) return false;
  if (source_path == options_.path || (!real_path_.empty() && source_path == real_path_)) {
    return true;
  }
  if (archive_) {
    const std::string& archive = archive_->path();
    if (source_path.substr(0, archive.size()) == archive &&
        (source_path.size() == archive.size() || source_path[archive.size()] == '.')) {
      return true;
    }
  }
  return false;
}

void HomeostasisTransport::rewrite(const Batch& batch) {
  if (real_path_.empty()) {
    if (char* real = ::realpath(options_.path.c_str(), nullptr)) {
      real_path_ = real;
      std::free(real);
    }
  }
  lines_.resize(batch.records.size());
  RecordKeys keys;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const std::string& record = batch.records[i];
    Line& line = lines_[i];
    line.text.clear();
    line.key.clear();
    line.windowable = keys_.read(record, keys);
    if (line.windowable && ownFile(keys.source_path)) {
      // The daemon follows a file this transport writes: writing its records back would
      // read them again, without end. They are in the file already.
      if (!warned_loop_) {
        warned_loop_ = true;
        spdlog::warn(
            "homeostasis transport: records read from {} are not written back to it (an input "
            "follows the file this transport writes)",
            keys.source_path);
      }
      continue;
    }
    if (line.windowable) line.key = ErrorWindow::entryKey(keys);
    if (!appendHomeostasisLine(record, line.text)) {
      // Not what serializeRecord writes (it always starts with the timestamp): kept as it is
      // rather than lost, but out of the window, where a zoned time among naive ones would
      // make Homeostasis' sort by time fail.
      line.text = record;
      line.windowable = false;
      if (!warned_unreadable_) {
        warned_unreadable_ = true;
        spdlog::warn(
            "homeostasis transport: a record does not start with a timestamp it can read; "
            "written to {} unchanged",
            append_ ? options_.path : options_.archive);
      }
    }
  }
  joined_.clear();
  for (const Line& line : lines_) {
    if (line.text.empty()) continue;
    joined_.append(line.text);
    joined_.push_back('\n');
  }
}

bool HomeostasisTransport::loadWindow(std::string& reason) {
  const std::optional<std::string> text = readWindowFile(options_.path, reason);
  if (!text) return false;
  const size_t foreign = window_.load(*text, keys_);
  if (foreign > 0) {
    reason = options_.path + " holds " + std::to_string(foreign) +
             " lines that are not JSON records, which rewriting the window would remove; "
             "another program writes it (to share a file, use mode: append)";
    return false;
  }
  // Naive times in today's zone, should the config's timezone have changed since.
  ErrorWindow rezoned(window_.capacity());
  const std::vector<ErrorWindow::Entry>& entries = window_.entries();
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    std::string line;
    if (!appendHomeostasisLine(it->line, line)) line = it->line;
    rezoned.push(it->key, std::move(line));
  }
  window_ = std::move(rezoned);
  window_loaded_ = true;
  return true;
}

bool HomeostasisTransport::writeWindow(const ErrorWindow& window, std::string& reason) {
  const std::string& path = options_.path;
  struct stat st;
  const bool existed = ::stat(path.c_str(), &st) == 0;
  if (!existed) {
    if (const int err = makeParentDirs(path); err != 0) {
      reason = "create directory for " + path + ": " + errorText(err);
      return false;
    }
  }
  const std::string temp = temporaryPath(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640);
  if (fd < 0) {
    reason = "open " + temp + ": " + errorText(errno);
    return false;
  }
  const std::string text = window.contents();
  size_t written = 0;
  int err = 0;
  const char* step = "write ";
  // A mode given to the file (so that the orchestrator's user may read it) is kept.
  if (existed && ::fchmod(fd, st.st_mode & 07777) != 0) {
    err = errno;
    step = "chmod ";
  }
  if (err == 0) err = writeFully(fd, text, written);
  if (err == 0 && ::fsync(fd) != 0) {
    err = errno;
    step = "fsync ";
  }
  if (::close(fd) != 0 && err == 0) {
    err = errno;
    step = "close ";
  }
  if (err == 0 && std::rename(temp.c_str(), path.c_str()) != 0) {
    reason = "rename " + temp + " to " + path + ": " + errorText(errno);
    ::unlink(temp.c_str());
    return false;
  }
  if (err != 0) {
    reason = step + temp + ": " + errorText(err);
    ::unlink(temp.c_str());
    return false;
  }
  syncParentDir(path);
  return true;
}

SendResult HomeostasisTransport::deliver(const Batch& batch, std::string& reason) {
  if (batch.records.empty()) return SendResult::kAccepted;
  rewrite(batch);

  if (append_) {
    if (joined_.empty()) return SendResult::kAccepted;
    return append_->append(joined_, reason) ? SendResult::kAccepted : SendResult::kRetryable;
  }

  if (!window_loaded_ && !loadWindow(reason)) return SendResult::kRetryable;
  off_t start = 0;
  const bool archived = !joined_.empty();
  if (archived && !archive_->append(joined_, start, reason)) return SendResult::kRetryable;

  // Only ERROR and CRITICAL, the levels the orchestrator asks for: lower ones would take the
  // place of errors in the window and never be read.
  ErrorWindow next = window_;
  bool changed = false;
  for (size_t i = 0; i < lines_.size(); ++i) {
    Line& line = lines_[i];
    const Level level = i < batch.levels.size() ? batch.levels[i] : Level::kError;
    if (line.text.empty() || !line.windowable || level < Level::kError) continue;
    next.push(std::move(line.key), std::move(line.text));
    changed = true;
  }
  if (changed && !writeWindow(next, reason)) {
    std::string undo;
    if (archived && !archive_->truncate(start, undo)) reason += "; " + undo;
    return SendResult::kRetryable;
  }
  window_ = std::move(next);
  return SendResult::kAccepted;
}

TransportFactory homeostasisTransportFactory() {
  return {
      "homeostasis",
      "writes records as Homeostasis' orchestrator reads them, for its monitoring.log_file "
      "(options: path, mode, window, archive, archive_max_bytes, archive_keep)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        auto where = [&](std::string_view key) { return options.whereOf(key); };
        auto checkFilePath = [&](std::string_view key, const std::string& path) {
          if (path.empty() || path.front() != '/') {
            diags.push_back({where(key), "homeostasis transport: " + std::string(key) +
                                             " must be absolute, got '" + path + "'"});
          } else if (path.back() == '/') {
            diags.push_back({where(key), "homeostasis transport: " + std::string(key) +
                                             " must name a file, got '" + path + "'"});
          }
        };
        HomeostasisOptions o;
        if (auto path = options.getString("path", diags, /*required=*/true)) {
          checkFilePath("path", *path);
          o.path = std::move(*path);
        }
        if (auto mode = options.getString("mode", diags)) {
          if (*mode == "append") {
            o.mode = HomeostasisOptions::Mode::kAppend;
          } else if (*mode != "window") {
            diags.push_back(
                {where("mode"),
                 "homeostasis transport: mode must be window or append, got '" + *mode + "'"});
          }
        }
        if (auto window = options.getInt("window", diags, 1, 1000)) {
          o.window = static_cast<size_t>(*window);
        }
        if (auto archive = options.getString("archive", diags)) {
          checkFilePath("archive", *archive);
          if (*archive == o.path) {
            diags.push_back(
                {where("archive"), "homeostasis transport: archive must differ from path"});
          }
          o.archive = std::move(*archive);
        }
        if (auto max = options.getInt("archive_max_bytes", diags, 4096, int64_t{1} << 40)) {
          o.archive_max_bytes = static_cast<uint64_t>(*max);
        }
        if (auto keep = options.getInt("archive_keep", diags, 1, 1000)) {
          o.archive_keep = static_cast<uint32_t>(*keep);
        }
        if (o.mode == HomeostasisOptions::Mode::kAppend) {
          // The file itself keeps every record: there is no window and no archive.
          for (std::string_view key : {"window", "archive", "archive_max_bytes", "archive_keep"}) {
            if (options.has(key)) {
              diags.push_back({where(key), "homeostasis transport: " + std::string(key) +
                                               " applies to mode window only"});
            }
          }
        } else if (o.archive.empty() && !o.path.empty()) {
          o.archive = o.path + ".archive";
        }
        options.rejectUnknown(
            {"path", "mode", "window", "archive", "archive_max_bytes", "archive_keep"},
            "homeostasis transport", diags);
        if (diags.size() != errors) return nullptr;
        return std::make_unique<HomeostasisTransport>(ctx.executor, std::move(o));
      },
  };
}

}  // namespace homeo
