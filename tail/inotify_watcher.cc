#include "tail/inotify_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace homeo {

InotifyWatcher::InotifyWatcher(boost::asio::any_io_executor executor, Callback callback)
    : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)),
      stream_(executor),
      callback_(std::move(callback)),
      buffer_(64 * 1024) {
  if (fd_ >= 0) {
    boost::system::error_code ec;
    stream_.assign(fd_, ec);
    if (ec) {
      ::close(fd_);
      fd_ = -1;
    }
  }
}

InotifyWatcher::~InotifyWatcher() { stop(); }

bool InotifyWatcher::watch(const std::string& dir, std::string* error) {
  if (fd_ < 0) {
    *error = "inotify is not available";
    return false;
  }
  for (const auto& [wd, d] : dirs_) {
    if (d == dir) return true;
  }
  const int wd = ::inotify_add_watch(fd_, dir.c_str(),
                                     IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                                         IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_ONLYDIR);
  if (wd < 0) {
    *error = std::string("cannot watch ") + dir + ": " + std::strerror(errno);
    return false;
  }
  dirs_[wd] = dir;
  return true;
}

bool InotifyWatcher::watching(const std::string& dir) const {
  for (const auto& [wd, d] : dirs_) {
    if (d == dir) return true;
  }
  return false;
}

void InotifyWatcher::start() {
  if (fd_ >= 0) readMore();
}

void InotifyWatcher::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ec;
  if (stream_.is_open()) stream_.close(ec);  // closes fd_ too
  fd_ = -1;
}

void InotifyWatcher::readMore() {
  stream_.async_read_some(boost::asio::buffer(buffer_),
                          [this](const boost::system::error_code& ec, size_t n) {
                            if (ec || stopped_) return;
                            handle(n);
                            readMore();
                          });
}

void InotifyWatcher::handle(size_t bytes) {
  size_t pos = 0;
  while (pos + sizeof(inotify_event) <= bytes) {
    inotify_event ev;
    std::memcpy(&ev, buffer_.data() + pos, sizeof ev);
    const char* name = buffer_.data() + pos + sizeof(inotify_event);
    pos += sizeof(inotify_event) + ev.len;
    if (ev.mask & IN_Q_OVERFLOW) {
      callback_(Change::kOverflow, {});
      continue;
    }
    auto it = dirs_.find(ev.wd);
    if (it == dirs_.end()) continue;
    if (ev.mask & IN_IGNORED) {
      // The directory itself went away; the periodic rescan watches it again when it returns.
      std::string dir = std::move(it->second);
      dirs_.erase(it);
      callback_(Change::kUnwatched, dir);
      continue;
    }
    if (ev.len == 0) continue;
    std::string path = it->second;
    if (path.empty() || path.back() != '/') path.push_back('/');
    path.append(name, strnlen(name, ev.len));
    Change c = Change::kModified;
    if (ev.mask & (IN_CREATE | IN_MOVED_TO)) {
      c = Change::kCreatedOrMoved;
    } else if (ev.mask & (IN_DELETE | IN_MOVED_FROM)) {
      c = Change::kRemoved;
    }
    callback_(c, path);
  }
}

}  // namespace homeo
