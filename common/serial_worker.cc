#include "common/serial_worker.h"

namespace homeo {

bool SerialWorker::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
    if (!running_) {
      // A thread that ended for being idle needs nothing more of the lock: joined at once.
      if (thread_.joinable()) thread_.join();
      running_ = true;
      thread_ = std::thread([this] { run(); });
      return true;
    }
  }
  wake_.notify_one();
  return true;
}

void SerialWorker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto ready = [&] { return stopping_ || !jobs_.empty(); };
    if (idle_exit_.count() > 0) {
      wake_.wait_for(lock, idle_exit_, ready);
    } else {
      wake_.wait(lock, ready);
    }
    if (jobs_.empty()) {  // stopping (what was queued is done), or idle
      running_ = false;
      return;
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // what it holds is released off the lock, on this thread
    lock.lock();
  }
}

void SerialWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool SerialWorker::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

size_t SerialWorker::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

}  // namespace homeo
