#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace homeo {

// Watches directories with inotify on the event loop. Reports file names that were
// created, written, moved or deleted, overflow of the kernel queue (answered by a full
// rescan), and a watched directory that went away (its watch is dropped).
class InotifyWatcher {
 public:
  enum class Change { kModified, kCreatedOrMoved, kRemoved, kOverflow, kUnwatched };
  using Callback = std::function<void(Change change, const std::string& path)>;

  InotifyWatcher(boost::asio::any_io_executor executor, Callback callback);
  ~InotifyWatcher();

  // Whether inotify could be set up at all.
  bool ok() const { return fd_ >= 0; }
  // Adds a watch on a directory; false (with *error) if it is missing or the limit is hit.
  bool watch(const std::string& dir, std::string* error);
  void start();
  void stop();
  size_t watchCount() const { return dirs_.size(); }
  bool watching(const std::string& dir) const;

 private:
  void readMore();
  void handle(size_t bytes);

  int fd_ = -1;
  boost::asio::posix::stream_descriptor stream_;
  Callback callback_;
  std::map<int, std::string> dirs_;  // watch descriptor -> directory
  std::vector<char> buffer_;
  bool stopped_ = false;
};

}  // namespace homeo
