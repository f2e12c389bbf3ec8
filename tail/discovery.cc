#include "tail/discovery.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace homeo {

Discovery::Discovery(boost::asio::any_io_executor loop,
                     const std::vector<config::InputConfig>& inputs, SerialWorker& worker,
                     Listener listener)
    : loop_(loop),
      inputs_(inputs),
      worker_(worker),
      listener_(std::move(listener)),
      watcher_(loop, [this](InotifyWatcher::Change c, const std::string& p) { onChange(c, p); }),
      rescan_timer_(loop),
      poll_timer_(loop),
      soon_timer_(loop) {}

Discovery::~Discovery() {
  stop();
  alive_.reset();
}

void Discovery::start() {
  if (!watcher_.ok()) {
    spdlog::warn("inotify is not available; files are polled every {} ms", kPollEvery.count());
  }
  for (const auto& in : inputs_) {
    if (in.poll) {
      spdlog::info("{} polled every {} ms (watch: poll)", fmt::join(in.paths, ", "),
                   kPollEvery.count());
    }
  }
  // Watched before the first scan, so that a file created in between is not missed.
  std::vector<std::string> dirs;
  for (const auto& in : inputs_) {
    if (in.poll) continue;
    for (auto& dir : watchDirectories(in.paths)) dirs.push_back(std::move(dir));
  }
  watch(dirs);
  watcher_.start();
  const PathScan scan = scanInputs(inputs_);
  ++scans_;
  watch(scan.dirs);
  listener_.scanned(scan, true);
  rescanLater();
  pollLater();
}

void Discovery::stop() {
  if (stopped_) return;
  stopped_ = true;
  watcher_.stop();
  rescan_timer_.cancel();
  poll_timer_.cancel();
  soon_timer_.cancel();
}

void Discovery::onChange(InotifyWatcher::Change change, const std::string& path) {
  if (stopped_) return;
  switch (change) {
    case InotifyWatcher::Change::kModified:
      listener_.modified(path);
      return;
    case InotifyWatcher::Change::kOverflow:
      spdlog::warn("inotify queue overflow; rescanning");
      break;
    case InotifyWatcher::Change::kUnwatched:
      spdlog::info("{} went away; watched again when it is back", path);
      break;
    case InotifyWatcher::Change::kCreatedOrMoved:
    case InotifyWatcher::Change::kRemoved:
      break;
  }
  rescan();
}

bool Discovery::watch(const std::vector<std::string>& dirs) {
  polling_ = !watcher_.ok();
  for (const auto& in : inputs_) polling_ = polling_ || in.poll;
  if (!watcher_.ok()) return false;  // everything is polled; said at start
  std::string first_error;
  size_t failed = 0;
  bool added = false;
  for (const auto& dir : dirs) {
    if (watcher_.watching(dir)) continue;
    std::string error;
    if (watcher_.watch(dir, &error)) {
      added = true;
      continue;
    }
    polling_ = true;
    if (warned_dirs_.insert(dir).second && failed++ == 0) first_error = error;
  }
  if (failed > 0) {
    spdlog::warn(
        "{}{}; polled every {} ms and watched again when possible (checked every {} s)",
        first_error, failed > 1 ? fmt::format(" (and {} more directories)", failed - 1) : "",
        kPollEvery.count(), std::chrono::duration_cast<std::chrono::seconds>(kRescanEvery).count());
  }
  return added;
}

void Discovery::rescan() {
  if (stopped_) return;
  if (scanning_) {
    again_ = true;
    return;
  }
  scanning_ = true;
  const bool posted = worker_.post([this, alive = std::weak_ptr<int>(alive_)] {
    auto scan = std::make_shared<PathScan>(scanInputs(inputs_));
    boost::asio::post(loop_, [this, alive, scan] {
      if (!alive.expired()) onScanned(*scan);
    });
  });
  if (!posted) scanning_ = false;  // the worker is stopping
}

void Discovery::onScanned(const PathScan& scan) {
  scanning_ = false;
  if (stopped_) return;
  ++scans_;
  // A directory watched only now may have got files since the scan looked at it.
  if (watch(scan.dirs)) again_ = true;
  listener_.scanned(scan, false);
  if (again_) {
    again_ = false;
    rescan();
  }
}

void Discovery::rescanSoon() {
  if (soon_armed_ || stopped_) return;
  soon_armed_ = true;
  soon_timer_.expires_after(kSoon);
  soon_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: `this` may be gone
    soon_armed_ = false;
    rescan();
  });
}

void Discovery::rescanLater() {
  rescan_timer_.expires_after(kRescanEvery);
  rescan_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    rescan();
    rescanLater();
  });
}

void Discovery::pollLater() {
  poll_timer_.expires_after(kPollEvery);
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    if (polling_) {
      listener_.poll();
      rescan();
    }
    pollLater();
  });
}

}  // namespace homeo
