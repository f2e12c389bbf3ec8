#include "transports/threaded_transport.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

using testing::makeBatch;
using testing::runUntil;
using namespace std::chrono_literals;

class RecordingTransport final : public ThreadedTransport {
 public:
  explicit RecordingTransport(boost::asio::any_io_executor loop)
      : ThreadedTransport(std::move(loop)) {}
  ~RecordingTransport() override { stop(); }
  std::string_view type() const override { return "recording"; }

  std::mutex mutex;
  std::vector<uint64_t> delivered;
  std::vector<std::thread::id> deliver_threads;
  std::optional<std::thread::id> close_thread;
  // When set, deliver() of the first batch says it started and waits for `release`.
  std::optional<std::promise<void>> started;
  std::shared_future<void> release;

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override {
    if (started) {
      started->set_value();
      started.reset();
      release.wait();
    }
    std::lock_guard lock(mutex);
    delivered.push_back(batch.seq);
    deliver_threads.push_back(std::this_thread::get_id());
    if (batch.seq % 2 == 0) {
      reason = "even";
      return SendResult::kRetryable;
    }
    return SendResult::kAccepted;
  }
  void close() override { close_thread = std::this_thread::get_id(); }
};

struct Result {
  SendResult result;
  std::string reason;
  std::thread::id thread;
};

TEST_CASE("ThreadedTransport delivers on its worker and completes on the loop", "[transports]") {
  boost::asio::io_context io;
  RecordingTransport t(io.get_executor());
  std::vector<std::optional<Result>> results(3);
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    t.send(makeBatch(seq, {"{}"}), [&, seq](SendResult r, std::string reason) {
      results[seq - 1] = Result{r, std::move(reason), std::this_thread::get_id()};
    });
  }
  REQUIRE(runUntil(io, [&] { return results[2].has_value(); }));
  CHECK(results[0]->result == SendResult::kAccepted);
  CHECK(results[1]->result == SendResult::kRetryable);
  CHECK(results[1]->reason == "even");
  CHECK(results[2]->result == SendResult::kAccepted);
  for (const auto& r : results) CHECK(r->thread == std::this_thread::get_id());
  {
    std::lock_guard lock(t.mutex);
    CHECK(t.delivered == std::vector<uint64_t>{1, 2, 3});
    for (const auto& id : t.deliver_threads) CHECK(id != std::this_thread::get_id());
  }
  t.stop();
  REQUIRE(t.close_thread.has_value());
  CHECK(*t.close_thread != std::this_thread::get_id());
}

TEST_CASE("ThreadedTransport keeps io_context::run() busy while a send is pending",
          "[transports]") {
  boost::asio::io_context io;
  RecordingTransport t(io.get_executor());
  std::optional<SendResult> result;
  t.send(makeBatch(1, {"{}"}), [&](SendResult r, std::string) { result = r; });
  io.run();  // returns only after the completion ran
  CHECK(result == SendResult::kAccepted);
}

TEST_CASE("ThreadedTransport stop completes every pending send before it returns", "[transports]") {
  boost::asio::io_context io;
  RecordingTransport t(io.get_executor());
  std::promise<void> release;
  t.release = release.get_future().share();
  t.started.emplace();
  std::future<void> started = t.started->get_future();

  std::vector<std::optional<SendResult>> results(3);
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    t.send(makeBatch(seq * 2 - 1, {"{}"}),  // odd seqs: accepted when delivered
           [&, seq](SendResult r, std::string) { results[seq - 1] = r; });
  }
  REQUIRE(started.wait_for(5s) == std::future_status::ready);
  // The worker is inside deliver(1). Let it go shortly after stop() begins to wait for it.
  std::thread releaser([&] {
    std::this_thread::sleep_for(20ms);
    release.set_value();
  });
  t.stop();
  releaser.join();
  for (const auto& r : results) REQUIRE(r.has_value());
  CHECK(results[0] == SendResult::kAccepted);  // the batch being delivered finishes
  for (const auto& r : results) {
    CHECK((*r == SendResult::kAccepted || *r == SendResult::kRetryable));
  }

  // After stop, sends complete as retryable on the loop.
  std::optional<std::string> reason;
  t.send(makeBatch(9, {"{}"}), [&](SendResult r, std::string why) {
    CHECK(r == SendResult::kRetryable);
    reason = why;
  });
  CHECK_FALSE(reason.has_value());
  REQUIRE(runUntil(io, [&] { return reason.has_value(); }));
  CHECK(*reason == "transport stopped");
}

TEST_CASE("ThreadedTransport built and destroyed without sends starts no thread", "[transports]") {
  boost::asio::io_context io;
  RecordingTransport t(io.get_executor());
  t.stop();
  CHECK_FALSE(t.close_thread.has_value());
}

}  // namespace
}  // namespace homeo
