#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace homeo {

// Bounds blocking I/O that has no timeout of its own (librabbitmq waits without limit for its
// socket to become writable, as when the broker blocks publishers): when the deadline passes
// while armed, the socket is shut down (not closed), so that the blocked call fails and the
// caller, which owns the descriptor, closes it after disarm(). Its thread starts on the first
// arm().
class SocketWatchdog {
 public:
  SocketWatchdog() = default;
  ~SocketWatchdog();
  SocketWatchdog(const SocketWatchdog&) = delete;
  SocketWatchdog& operator=(const SocketWatchdog&) = delete;

  void arm(int fd, std::chrono::steady_clock::time_point deadline);
  // Returns whether the deadline passed (and the socket was shut down) since arm().
  bool disarm();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
  int fd_ = -1;
  std::chrono::steady_clock::time_point deadline_;
  bool armed_ = false;
  bool fired_ = false;
  bool quit_ = false;
};

}  // namespace homeo
