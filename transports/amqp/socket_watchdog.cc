#include "transports/amqp/socket_watchdog.h"

#include <sys/socket.h>

#include <utility>

namespace homeo {

SocketWatchdog::~SocketWatchdog() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SocketWatchdog::arm(int fd, std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard lock(mutex_);
    fd_ = fd;
    deadline_ = deadline;
    armed_ = true;
    fired_ = false;
  }
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { run(); });
  } else {
    wake_.notify_one();
  }
}

bool SocketWatchdog::disarm() {
  std::lock_guard lock(mutex_);
  armed_ = false;
  return std::exchange(fired_, false);
}

void SocketWatchdog::run() {
  std::unique_lock lock(mutex_);
  while (!quit_) {
    if (!armed_) {
      wake_.wait(lock);
      continue;
    }
    const auto deadline = deadline_;
    wake_.wait_until(lock, deadline);
    // Re-armed meanwhile (another deadline) or disarmed: look again.
    if (armed_ && !quit_ && deadline_ == deadline && std::chrono::steady_clock::now() >= deadline) {
      // Under the lock: the owner closes the descriptor only after disarm().
      ::shutdown(fd_, SHUT_RDWR);
      fired_ = true;
      armed_ = false;
    }
  }
}

}  // namespace homeo
