#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace homeo {

// One thread that runs jobs in the order they were posted, for work that blocks (file
// writes and fsyncs, directory walks, compression, synchronous client libraries) and must
// stay off the event loop. Jobs post their results back to the loop themselves. The thread
// starts with the first job, so building an object that owns a worker (as `check` does)
// starts none; with an `idle_exit`, it ends after that long without work and the next job
// starts another (an occasional job then costs no thread in between). At most `max_queued`
// jobs wait; post() refuses more. post() and stop() are called from one thread (the owner's).
class SerialWorker {
 public:
  explicit SerialWorker(size_t max_queued = 1024,
                        std::chrono::milliseconds idle_exit = std::chrono::milliseconds(0))
      : max_queued_(max_queued), idle_exit_(idle_exit) {}
  ~SerialWorker() { stop(); }
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // Queues a job; false (and the job dropped) when the queue is full or stop() was called.
  bool post(std::function<void()> job);
  // Runs the jobs queued so far, then ends the thread. Later posts are refused.
  void stop();

  // Jobs waiting (not the one running).
  size_t queued() const;
  size_t maxQueued() const { return max_queued_; }
  // Whether its thread exists now (it ends when stopped, or idle with an idle_exit).
  bool running() const;

 private:
  void run();

  const size_t max_queued_;
  const std::chrono::milliseconds idle_exit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  bool running_ = false;  // the thread is in run()
  std::thread thread_;
};

}  // namespace homeo
