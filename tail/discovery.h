#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/serial_worker.h"
#include "config/config.h"
#include "tail/inotify_watcher.h"
#include "tail/path_glob.h"

namespace homeo {

// Finds the files the inputs' globs match and says when they may have changed; it opens
// nothing. Watches the input directories with inotify where it can and polls where it cannot
// (or where the input says `watch: poll`); rescans on a directory change, after an inotify
// queue overflow, every kRescanEvery and at every poll. Scans run on the worker and report
// back on the loop; one at a time, and one asked for meanwhile runs after it.
class Discovery {
 public:
  static constexpr auto kRescanEvery = std::chrono::seconds(10);
  static constexpr auto kPollEvery = std::chrono::milliseconds(500);
  static constexpr auto kSoon = std::chrono::milliseconds(50);

  struct Listener {
    // A scan's result; `initial` for the first one, made by start().
    std::function<void(const PathScan& scan, bool initial)> scanned;
    // A file in a watched directory was written to (the listener rescans if it follows no
    // file of that name).
    std::function<void(const std::string& path)> modified;
    // Every kPollEvery while some directory is polled: followed files may have grown.
    std::function<void()> poll;
  };

  // `inputs` and `worker` must outlive the Discovery.
  Discovery(boost::asio::any_io_executor loop, const std::vector<config::InputConfig>& inputs,
            SerialWorker& worker, Listener listener);
  ~Discovery();
  Discovery(const Discovery&) = delete;
  Discovery& operator=(const Discovery&) = delete;

  // Watches what can be watched, scans once on the calling thread (start-up may block) and
  // reports it as the initial scan, then keeps looking.
  void start();
  void stop();
  // A scan now (coalesced), or in kSoon (a file that is still being written is looked at again).
  void rescan();
  void rescanSoon();

  // Whether some input directory is not watched by inotify, so changes must be polled for.
  bool polling() const { return polling_; }
  size_t watchCount() const { return watcher_.watchCount(); }
  size_t scans() const { return scans_; }

 private:
  void onChange(InotifyWatcher::Change change, const std::string& path);
  // Watches the directories not watched yet; true when it added a watch.
  bool watch(const std::vector<std::string>& dirs);
  void onScanned(const PathScan& scan);
  void rescanLater();
  void pollLater();

  boost::asio::any_io_executor loop_;
  const std::vector<config::InputConfig>& inputs_;
  SerialWorker& worker_;
  Listener listener_;
  InotifyWatcher watcher_;
  boost::asio::steady_timer rescan_timer_;
  boost::asio::steady_timer poll_timer_;
  boost::asio::steady_timer soon_timer_;
  std::set<std::string> watched_;
  std::set<std::string> warned_dirs_;
  bool polling_ = false;
  bool scanning_ = false;  // a scan is on the worker
  bool again_ = false;     // and another one was asked for meanwhile
  bool soon_armed_ = false;
  bool stopped_ = false;
  size_t scans_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace homeo
