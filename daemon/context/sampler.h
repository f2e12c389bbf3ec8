#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace homeo {

// Runs a sampling function on its own thread (once, or every `interval`) and keeps the last
// result, so that a provider reading /proc, statvfs or anything that may hang never blocks
// the event loop: apply() takes snapshot(), which only copies a pointer under a lock.
// A sample still running after `timeout`, or a failed one, makes snapshot() report an error.
// On destruction a hung sample is left to finish on its own (the thread is detached; its
// state is shared), so shutting down never waits for it beyond the timeout.
template <typename T>
class Sampler {
 public:
  using Clock = std::chrono::steady_clock;
  // Fills `out` and returns true, or sets `error` (a short reason) and returns false.
  using SampleFn = std::function<bool(T& out, std::string& error)>;

  struct Snapshot {
    std::shared_ptr<const T> value;  // null when error is set
    std::string error;
  };

  Sampler(SampleFn fn, std::chrono::milliseconds interval, std::chrono::milliseconds timeout)
      : state_(std::make_shared<State>()), interval_(interval), timeout_(timeout) {
    state_->fn = std::move(fn);
  }

  ~Sampler() {
    if (!thread_.joinable()) return;
    std::unique_lock lock(state_->mu);
    state_->stop = true;
    state_->cv.notify_all();
    const bool exited = state_->cv.wait_for(lock, timeout_, [this] { return state_->exited; });
    lock.unlock();
    if (exited) {
      thread_.join();
    } else {
      thread_.detach();
    }
  }

  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  void start(bool periodic) {
    if (thread_.joinable()) return;
    thread_ = std::thread([state = state_, periodic, interval = interval_] {
      std::unique_lock lock(state->mu);
      while (!state->stop) {
        state->running = true;
        state->started = Clock::now();
        lock.unlock();
        auto value = std::make_shared<T>();
        std::string error;
        const bool ok = state->fn(*value, error);
        lock.lock();
        state->running = false;
        state->ready = true;
        if (ok) {
          state->value = std::move(value);
          state->error.clear();
        } else {
          state->value.reset();
          state->error = error.empty() ? "failed" : error;
        }
        state->cv.notify_all();
        if (!periodic) break;
        state->cv.wait_for(lock, interval, [&] { return state->stop; });
      }
      state->exited = true;
      state->cv.notify_all();
    });
  }

  void waitReady(Clock::time_point deadline) {
    std::unique_lock lock(state_->mu);
    state_->cv.wait_until(lock, deadline, [this] { return state_->ready; });
  }

  Snapshot snapshot(Clock::time_point now = Clock::now()) const {
    std::lock_guard lock(state_->mu);
    Snapshot s;
    if (state_->running && now - state_->started > timeout_) {
      s.error = "timed out after " + std::to_string(timeout_.count()) + " ms";
    } else if (!state_->ready) {
      s.error = "no data yet";
    } else if (!state_->error.empty()) {
      s.error = state_->error;
    } else {
      s.value = state_->value;
    }
    return s;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    SampleFn fn;
    std::shared_ptr<const T> value;
    std::string error;
    Clock::time_point started{};
    bool running = false;
    bool ready = false;
    bool stop = false;
    bool exited = false;
  };

  std::shared_ptr<State> state_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds timeout_;
  std::thread thread_;
};

}  // namespace homeo
