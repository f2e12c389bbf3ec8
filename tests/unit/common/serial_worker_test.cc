#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/serial_worker.h"

using homeo::SerialWorker;

namespace {

// Waits (bounded) until pred holds; false if it never did.
template <typename Pred>
bool waitFor(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Blocks the worker until open() is called, so that jobs can be queued behind it.
struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  bool opened = false;
  void wait() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return opened; });
  }
  void open() {
    std::lock_guard lock(mu);
    opened = true;
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("serial worker: jobs run in order, off the calling thread", "[worker]") {
  SerialWorker worker;
  std::vector<int> order;
  std::thread::id ran_on;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(worker.post([&, i] {
      order.push_back(i);
      ran_on = std::this_thread::get_id();
    }));
  }
  worker.stop();  // runs what is queued first
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(ran_on != std::this_thread::get_id());
  CHECK_FALSE(worker.post([] {}));
}

TEST_CASE("serial worker: the queue has a bound", "[worker]") {
  SerialWorker worker(2);
  Latch latch;
  std::atomic<int> ran{0};
  REQUIRE(worker.post([&] {
    latch.wait();
    ++ran;
  }));
  // The first job may not have left the queue yet: wait until it runs, holding the latch.
  REQUIRE(waitFor([&] { return worker.queued() == 0; }));
  CHECK(worker.post([&] { ++ran; }));
  CHECK(worker.post([&] { ++ran; }));
  CHECK(worker.queued() == 2);
  CHECK_FALSE(worker.post([&] { ++ran; }));  // full
  latch.open();
  worker.stop();
  CHECK(ran == 3);
}

TEST_CASE("serial worker: an idle thread ends and the next job starts another", "[worker]") {
  SerialWorker worker(8, std::chrono::milliseconds(10));
  std::atomic<int> ran{0};
  std::thread::id first, second;
  REQUIRE(worker.post([&] {
    first = std::this_thread::get_id();
    ++ran;
  }));
  REQUIRE(waitFor([&] { return ran == 1; }));
  REQUIRE(waitFor([&] { return !worker.running(); }));  // ended after idle_exit
  REQUIRE(worker.post([&] {
    second = std::this_thread::get_id();
    ++ran;
  }));
  REQUIRE(waitFor([&] { return ran == 2; }));
  worker.stop();
  CHECK_FALSE(worker.running());
  CHECK(first != std::thread::id{});
  CHECK(second != std::thread::id{});
}
