#include "transports/dispatcher.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/transports/fake_transport.h"
#include "tests/unit/transports/test_util.h"
#include "transports/batcher.h"

namespace homeo {
namespace {

using testing::FakeTransport;
using testing::makeBatch;
using testing::runReady;
using testing::runUntil;
using testing::ScratchDir;
using namespace std::chrono_literals;

DispatcherOptions fastOptions() {
  DispatcherOptions options;
  options.initial_backoff = 1ms;
  options.max_backoff = 4ms;
  options.slow_send = 0ms;  // the tests complete sends by hand, as quickly as they like
  return options;
}

struct Setup {
  boost::asio::io_context io;
  std::vector<FakeTransport*> fakes;
  std::unique_ptr<Dispatcher> dispatcher;
  std::vector<uint64_t> acked;

  void build(std::vector<std::unique_ptr<FakeTransport>> transports,
             DispatcherOptions options = fastOptions()) {
    std::vector<std::unique_ptr<Transport>> owned;
    for (auto& t : transports) {
      fakes.push_back(t.get());
      owned.push_back(std::move(t));
    }
    dispatcher = std::make_unique<Dispatcher>(io.get_executor(), std::move(owned), options);
    dispatcher->onAcked([this](uint64_t seq) { acked.push_back(seq); });
  }
  std::unique_ptr<FakeTransport> fake(std::string type, size_t max_in_flight = 1,
                                      FakeTransport::Policy policy = nullptr) {
    return std::make_unique<FakeTransport>(io.get_executor(), std::move(type), max_in_flight,
                                           std::move(policy));
  }
  // One destination whose sends the test completes by hand, spooling into spool_dir; a remote
  // one spools from 4 queued batches.
  FakeTransport& buildOneSpooling(const std::string& spool_dir, std::string type,
                                  SpoolOptions spool, bool local = false) {
    std::vector<std::unique_ptr<FakeTransport>> ts;
    ts.push_back(fake(std::move(type), 1));
    ts[0]->local = local;
    ts[0]->setSpoolOptions(spool);
    DispatcherOptions options = fastOptions();
    options.max_queued_batches = 8;
    options.spool_dir = spool_dir;
    build(std::move(ts), options);
    return *fakes[0];
  }
};

SendResult acceptAll(const Batch&, int) { return SendResult::kAccepted; }

TEST_CASE("Dispatcher watermark is contiguous when a transport finishes out of order",
          "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("fake", 3));
  s.build(std::move(ts));
  FakeTransport& t = *s.fakes[0];

  for (uint64_t seq = 1; seq <= 4; ++seq) s.dispatcher->dispatch(makeBatch(seq, {"{}", "{}"}));
  CHECK(t.seqs() == std::vector<uint64_t>{1, 2, 3});  // maxInFlight 3; batch 4 waits
  CHECK(s.dispatcher->stats()[0].queued == 1);
  CHECK(s.dispatcher->stats()[0].in_flight == 3);
  CHECK(s.dispatcher->queuedBatches() == 4);

  t.complete(2);  // seq 3
  runReady(s.io);
  CHECK(s.acked.empty());
  CHECK(s.dispatcher->ackedThrough() == 0);
  CHECK(t.seqs() == std::vector<uint64_t>{1, 2, 3, 4});  // the freed slot took batch 4

  t.complete(0);  // seq 1
  runReady(s.io);
  CHECK(s.acked == std::vector<uint64_t>{1});

  t.complete(1);  // seq 2: 1..3 done
  runReady(s.io);
  CHECK(s.acked == std::vector<uint64_t>{1, 3});
  CHECK_FALSE(s.dispatcher->idle());

  t.complete(3);  // seq 4
  runReady(s.io);
  CHECK(s.acked == std::vector<uint64_t>{1, 3, 4});
  CHECK(s.dispatcher->idle());
  CHECK(s.dispatcher->queuedBatches() == 0);
  const TransportStats stats = s.dispatcher->stats()[0];
  CHECK(stats.type == "fake");
  CHECK(stats.sent_batches == 4);
  CHECK(stats.sent_records == 8);
  CHECK(stats.failed_batches == 0);
  CHECK(stats.retries == 0);
  CHECK(t.max_seen_in_flight == 3);
}

TEST_CASE("Dispatcher retries a retryable failure with backoff", "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("flaky", 1, [](const Batch&, int attempt) {
    return attempt <= 2 ? SendResult::kRetryable : SendResult::kAccepted;
  }));
  s.build(std::move(ts));
  s.dispatcher->dispatch(makeBatch(1, {"{\"a\":1}"}));
  s.dispatcher->dispatch(makeBatch(2, {"{\"a\":2}"}));
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 2; }));
  runReady(s.io);
  // Batch 1 three times, then batch 2 three times: in order, never overlapping.
  CHECK(s.fakes[0]->seqs() == std::vector<uint64_t>{1, 1, 1, 2, 2, 2});
  CHECK(s.fakes[0]->max_seen_in_flight == 1);
  const TransportStats stats = s.dispatcher->stats()[0];
  CHECK(stats.retries == 4);
  CHECK(stats.sent_batches == 2);
  CHECK(stats.sent_records == 2);
  CHECK(stats.failed_batches == 0);
  CHECK(s.acked.back() == 2);
}

TEST_CASE("Dispatcher backoff grows, is capped and jittered", "[transports]") {
  Setup s;
  std::vector<std::chrono::steady_clock::time_point> times;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("flaky", 1, [&](const Batch&, int attempt) {
    times.push_back(std::chrono::steady_clock::now());
    return attempt <= 5 ? SendResult::kRetryable : SendResult::kAccepted;
  }));
  DispatcherOptions options;
  options.initial_backoff = 10ms;
  options.max_backoff = 40ms;
  options.jitter = 0.2;
  s.build(std::move(ts), options);
  s.dispatcher->dispatch(makeBatch(1, {"{}"}));
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 1; }));
  REQUIRE(times.size() == 6);
  // Delays: 10, 20, 40, 40, 40 ms, each at least 80% of that (timers never fire early).
  const double expected[] = {10, 20, 40, 40, 40};
  for (size_t i = 0; i < 5; ++i) {
    const auto gap = std::chrono::duration<double, std::milli>(times[i + 1] - times[i]).count();
    CHECK(gap >= expected[i] * 0.8 - 1);
  }
}

TEST_CASE("Dispatcher does not stall on a permanent failure", "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("picky", 1, [](const Batch& batch, int) {
    return batch.seq == 1 ? SendResult::kPermanent : SendResult::kAccepted;
  }));
  s.build(std::move(ts));
  std::vector<uint64_t> dead;
  s.dispatcher->onPermanentFailure(
      [&](size_t transport, const Batch& batch, const std::string& reason) {
        CHECK(transport == 0);
        CHECK(reason == "scripted");
        dead.push_back(batch.seq);
      });
  s.dispatcher->dispatch(makeBatch(1, {"{}", "{}", "{}"}));
  s.dispatcher->dispatch(makeBatch(2, {"{}"}));
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 2; }));
  CHECK(s.fakes[0]->seqs() == std::vector<uint64_t>{1, 2});
  CHECK(dead == std::vector<uint64_t>{1});
  const TransportStats stats = s.dispatcher->stats()[0];
  CHECK(stats.failed_batches == 1);
  CHECK(stats.failed_records == 3);
  CHECK(stats.sent_batches == 1);
  CHECK(stats.retries == 0);
  CHECK(s.dispatcher->idle());
}

TEST_CASE("Dispatcher with a slow transport: the fast one runs ahead, acks wait for both",
          "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("fast", 1, acceptAll));
  ts.push_back(s.fake("slow", 1));
  s.build(std::move(ts));
  FakeTransport& fast = *s.fakes[0];
  FakeTransport& slow = *s.fakes[1];

  for (uint64_t seq = 1; seq <= 3; ++seq) s.dispatcher->dispatch(makeBatch(seq, {"{}"}));
  runReady(s.io);
  CHECK(fast.seqs() == std::vector<uint64_t>{1, 2, 3});
  CHECK(slow.seqs() == std::vector<uint64_t>{1});
  CHECK(s.acked.empty());
  auto stats = s.dispatcher->stats();
  CHECK(stats[0].sent_batches == 3);
  CHECK(stats[1].in_flight == 1);
  CHECK(stats[1].queued == 2);
  CHECK(s.dispatcher->queuedBatches() == 3);

  slow.complete(0);
  runReady(s.io);
  CHECK(s.acked == std::vector<uint64_t>{1});
  CHECK(slow.seqs() == std::vector<uint64_t>{1, 2});
  slow.complete(1);
  runReady(s.io);
  slow.complete(2);
  runReady(s.io);
  CHECK(s.acked == std::vector<uint64_t>{1, 2, 3});
  CHECK(s.dispatcher->idle());
}

TEST_CASE("Dispatcher saturation follows the queue bound with hysteresis", "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("manual", 8));
  DispatcherOptions options = fastOptions();
  options.max_queued_batches = 4;
  s.build(std::move(ts), options);
  std::vector<bool> changes;
  s.dispatcher->onSaturation([&](bool saturated) { changes.push_back(saturated); });
  CHECK(s.dispatcher->maxQueuedBatches() == 4);

  for (uint64_t seq = 1; seq <= 3; ++seq) s.dispatcher->dispatch(makeBatch(seq, {"{}"}));
  CHECK_FALSE(s.dispatcher->saturated());
  s.dispatcher->dispatch(makeBatch(4, {"{}"}));
  CHECK(s.dispatcher->saturated());
  runReady(s.io);
  CHECK(changes == std::vector<bool>{true});

  s.fakes[0]->complete(0);
  runReady(s.io);
  CHECK(s.dispatcher->saturated());  // 3 left: above half the bound
  s.fakes[0]->complete(1);
  CHECK_FALSE(s.dispatcher->saturated());
  runReady(s.io);
  CHECK(changes == std::vector<bool>{true, false});
}

std::vector<std::string> numbered(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("{\"n\":" + std::to_string(i) + "}");
  return out;
}

// Batch seq holds the records seq*10 and seq*10+1.
std::shared_ptr<const Batch> twoRecords(uint64_t seq) {
  const int n = static_cast<int>(seq) * 10;
  return makeBatch(seq, numbered(n, n + 2));
}

TEST_CASE("Dispatcher spools for a slow destination instead of saturating, in order",
          "[transports][spool]") {
  ScratchDir dir;
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("fast", 1, acceptAll));
  ts.push_back(s.fake("slow", 1));  // the test completes each send
  SpoolOptions spool;
  spool.after = std::chrono::hours(1);  // never failing long enough: only the queue spools
  ts[1]->setSpoolOptions(spool);
  ts[0]->setSpoolOptions(SpoolOptions{.enabled = false});
  DispatcherOptions options = fastOptions();
  options.max_queued_batches = 8;  // the slow one spools from 4 queued batches
  options.spool_dir = dir.path;
  s.build(std::move(ts), options);
  FakeTransport& slow = *s.fakes[1];
  CHECK(dir.files("") == 0);

  for (uint64_t seq = 1; seq <= 5; ++seq) s.dispatcher->dispatch(twoRecords(seq));
  runReady(s.io);
  // Batch 1 is out, 2..5 queued: the spool waits for batch 1 so that nothing overtakes it.
  CHECK(slow.seqs() == std::vector<uint64_t>{1});
  CHECK(s.dispatcher->stats()[1].queued == 4);
  CHECK(s.dispatcher->stats()[1].spooled_records == 0);
  CHECK(dir.files("1-slow") == 0);

  slow.complete(0, SendResult::kRetryable, "slow and flaky");  // retried after a backoff
  REQUIRE(runUntil(s.io, [&] { return slow.calls.size() == 2; }));
  CHECK(slow.seqs() == std::vector<uint64_t>{1, 1});
  CHECK(s.dispatcher->stats()[1].spooled_records == 0);
  slow.complete(1);

  // The queue goes to disk and counts as delivered; new batches follow it there, so the
  // caller is not asked to pause although the destination took one batch only.
  for (uint64_t seq = 6; seq <= 12; ++seq) {
    s.dispatcher->dispatch(twoRecords(seq));
    runReady(s.io);
  }
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 12; }));
  CHECK_FALSE(s.dispatcher->saturated());
  CHECK(s.dispatcher->stats()[1].spooled_records == 22);  // batches 2..12
  CHECK(s.dispatcher->stats()[1].queued == 0);
  CHECK(s.dispatcher->stats()[1].spool_bytes > 0);
  CHECK(s.fakes[0]->seqs().size() == 12);

  // The spool is replayed one batch at a time, oldest first.
  std::vector<std::string> received = numbered(10, 12);  // batch 1, sent directly
  for (size_t call = 2; received.size() < 24; ++call) {
    REQUIRE(runUntil(s.io, [&] { return slow.calls.size() > call; }));
    CHECK(slow.calls[call].batch->seq == 0);  // from the spool
    CHECK(slow.in_flight == 1);
    for (const auto& r : slow.calls[call].batch->records) received.push_back(r);
    slow.complete(call);
  }
  std::vector<std::string> want;
  for (uint64_t seq = 1; seq <= 12; ++seq) {
    const auto batch = twoRecords(seq);
    want.insert(want.end(), batch->records.begin(), batch->records.end());
  }
  CHECK(received == want);
  REQUIRE(runUntil(s.io, [&] { return dir.files("1-slow") == 0; }));
  CHECK(s.dispatcher->stats()[1].spool_bytes == 0);
  CHECK(s.dispatcher->stats()[1].sent_records == 24);
  CHECK(s.dispatcher->stats()[1].retried_records == 2);

  // Emptied: the next batch is sent directly again.
  const size_t calls = slow.calls.size();
  s.dispatcher->dispatch(twoRecords(13));
  runReady(s.io);
  REQUIRE(slow.calls.size() == calls + 1);
  CHECK(slow.calls.back().batch->seq == 13);
}

TEST_CASE("Dispatcher does not spool a slow local destination, but a failing one",
          "[transports][spool]") {
  ScratchDir dir;
  Setup s;
  SpoolOptions spool;
  spool.after = 0ms;  // a retryable failure spools at once
  FakeTransport& file = s.buildOneSpooling(dir.path, "file", spool, /*local=*/true);

  for (uint64_t seq = 1; seq <= 6; ++seq) s.dispatcher->dispatch(twoRecords(seq));
  runReady(s.io);
  file.complete(0);
  REQUIRE(runUntil(s.io, [&] { return file.calls.size() == 2; }));
  // Slow only: the queue waits in memory (the spool would be on a disk as busy).
  CHECK(file.seqs() == std::vector<uint64_t>{1, 2});
  CHECK(s.dispatcher->stats()[0].queued == 4);
  CHECK(s.dispatcher->stats()[0].spooled_records == 0);

  // Failing: the batch out and the queue go to the spool.
  file.complete(1, SendResult::kRetryable, "disk full");
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 6; }));
  CHECK(s.dispatcher->stats()[0].spooled_records == 10);
}

TEST_CASE("Dispatcher send gate holds back sends and spooling, not replays",
          "[transports][spool]") {
  ScratchDir dir;
  Setup s;
  SpoolOptions spool;
  spool.after = std::chrono::hours(1);  // only the queue spools
  FakeTransport& slow = s.buildOneSpooling(dir.path, "slow", spool);
  // As the daemon: checkpoints before batch 1 are written.
  s.dispatcher->releaseThrough(1);

  for (uint64_t seq = 1; seq <= 6; ++seq) s.dispatcher->dispatch(twoRecords(seq));
  runReady(s.io);
  CHECK(slow.seqs() == std::vector<uint64_t>{1});
  slow.complete(0);
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 1; }));
  // Five queued batches would go to the spool, but the gate holds them: spooling counts as
  // delivery, and a crash now must not repeat them.
  runReady(s.io);
  CHECK(slow.seqs() == std::vector<uint64_t>{1});
  CHECK(s.dispatcher->stats()[0].spooled_records == 0);
  CHECK(s.dispatcher->stats()[0].queued == 5);
  CHECK(dir.files("0-slow") == 0);

  s.dispatcher->releaseThrough(3);
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 3; }));
  CHECK(s.dispatcher->stats()[0].spooled_records == 4);  // batches 2 and 3
  CHECK(s.dispatcher->stats()[0].queued == 3);
  // The replay of the spool is not held back: batch 2 goes out from disk.
  REQUIRE(runUntil(s.io, [&] { return slow.calls.size() == 2; }));
  CHECK(slow.calls[1].batch->seq == 0);
  CHECK(slow.calls[1].batch->records == twoRecords(2)->records);

  s.dispatcher->releaseThrough(6);
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == 6; }));
  CHECK(s.dispatcher->stats()[0].spooled_records == 10);
  for (size_t call = 1; call < 6; ++call) {
    REQUIRE(runUntil(s.io, [&] { return slow.calls.size() > call; }));
    CHECK(slow.calls[call].batch->records == twoRecords(call + 1)->records);
    slow.complete(call);
  }
  REQUIRE(runUntil(s.io, [&] { return dir.files("0-slow") == 0; }));
}

TEST_CASE("Dispatcher without a spool saturates on a slow destination", "[transports][spool]") {
  ScratchDir dir;
  Setup s;
  s.buildOneSpooling(dir.path, "slow", SpoolOptions{.enabled = false});
  for (uint64_t seq = 1; seq <= 8; ++seq) s.dispatcher->dispatch(twoRecords(seq));
  runReady(s.io);
  CHECK(s.dispatcher->saturated());
  CHECK(s.dispatcher->stats()[0].queued == 7);
  CHECK(s.dispatcher->stats()[0].spooled_records == 0);
  s.fakes[0]->complete(0);
  runReady(s.io);
  CHECK(s.fakes[0]->seqs() == std::vector<uint64_t>{1, 2});
}

TEST_CASE("Dispatcher drain reports all acked, or times out", "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("manual", 1));
  s.build(std::move(ts));
  std::optional<bool> result;

  SECTION("idle: done(true) right away, but not inside drain()") {
    s.dispatcher->drain(1s, [&](bool ok) { result = ok; });
    CHECK_FALSE(result.has_value());
    runReady(s.io);
    CHECK(result == true);
  }
  SECTION("everything acked before the timeout") {
    s.dispatcher->dispatch(makeBatch(1, {"{}"}));
    s.dispatcher->drain(5s, [&](bool ok) { result = ok; });
    runReady(s.io);
    CHECK_FALSE(result.has_value());
    s.fakes[0]->complete(0);
    REQUIRE(runUntil(
        s.io, [&] { return result.has_value(); }, 1s));
    CHECK(*result);
  }
  SECTION("timeout") {
    s.dispatcher->dispatch(makeBatch(1, {"{}"}));
    const auto start = std::chrono::steady_clock::now();
    s.dispatcher->drain(20ms, [&](bool ok) { result = ok; });
    REQUIRE(runUntil(
        s.io, [&] { return result.has_value(); }, 5s));
    CHECK_FALSE(*result);
    CHECK(std::chrono::steady_clock::now() - start >= 20ms);
    CHECK(s.dispatcher->ackedThrough() == 0);
  }
}

TEST_CASE("Dispatcher drain cuts a long retry delay short", "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("flaky", 1, [](const Batch&, int attempt) {
    return attempt == 1 ? SendResult::kRetryable : SendResult::kAccepted;
  }));
  DispatcherOptions options;
  options.initial_backoff = 60s;
  s.build(std::move(ts), options);
  s.dispatcher->dispatch(makeBatch(1, {"{}"}));
  runReady(s.io);
  CHECK(s.fakes[0]->calls.size() == 1);
  std::optional<bool> result;
  s.dispatcher->drain(10s, [&](bool ok) { result = ok; });
  REQUIRE(runUntil(
      s.io, [&] { return result.has_value(); }, 5s));
  CHECK(*result);
  CHECK(s.fakes[0]->calls.size() == 2);
}

TEST_CASE("Dispatcher survives a transport completing inside send()", "[transports]") {
  class InlineTransport : public Transport {
   public:
    std::string_view type() const override { return "inline"; }
    void send(std::shared_ptr<const Batch>, SendDone done) override {
      ++sends;
      done(SendResult::kAccepted, "");
    }
    int sends = 0;
  };
  boost::asio::io_context io;
  auto owned = std::make_unique<InlineTransport>();
  InlineTransport* t = owned.get();
  std::vector<std::unique_ptr<Transport>> ts;
  ts.push_back(std::move(owned));
  Dispatcher dispatcher(io.get_executor(), std::move(ts));
  for (uint64_t seq = 1; seq <= 5; ++seq) dispatcher.dispatch(makeBatch(seq, {"{}"}));
  REQUIRE(runUntil(io, [&] { return dispatcher.ackedThrough() == 5; }));
  CHECK(t->sends == 5);
  CHECK(dispatcher.idle());
}

TEST_CASE("Dispatcher without transports acknowledges at once", "[transports]") {
  boost::asio::io_context io;
  Dispatcher dispatcher(io.get_executor(), {});
  std::vector<uint64_t> acked;
  dispatcher.onAcked([&](uint64_t seq) { acked.push_back(seq); });
  dispatcher.dispatch(makeBatch(1, {"{}"}));
  dispatcher.dispatch(makeBatch(2, {"{}"}));
  CHECK(dispatcher.ackedThrough() == 2);
  CHECK(acked.empty());  // callbacks are posted, never run inside dispatch()
  runReady(io);
  CHECK(acked == std::vector<uint64_t>{2});
}

TEST_CASE("Dispatcher stop stops transports and ignores late completions", "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("manual", 1));
  s.build(std::move(ts));
  s.dispatcher->dispatch(makeBatch(1, {"{}"}));
  s.dispatcher->dispatch(makeBatch(2, {"{}"}));
  std::optional<bool> result;
  s.dispatcher->drain(10s, [&](bool ok) { result = ok; });
  s.dispatcher->stop();
  CHECK(s.fakes[0]->stopped);
  s.fakes[0]->complete(0);
  runReady(s.io);
  CHECK(result == false);
  CHECK(s.acked.empty());
  CHECK(s.fakes[0]->calls.size() == 1);
  s.dispatcher->dispatch(makeBatch(3, {"{}"}));
  CHECK(s.fakes[0]->calls.size() == 1);
}

TEST_CASE("Batcher feeds Dispatcher end to end", "[transports]") {
  Setup s;
  std::vector<std::unique_ptr<FakeTransport>> ts;
  ts.push_back(s.fake("a", 2, acceptAll));
  ts.push_back(s.fake("b", 1, [](const Batch&, int attempt) {
    return attempt == 1 ? SendResult::kRetryable : SendResult::kAccepted;
  }));
  s.build(std::move(ts));
  config::BatchConfig cfg;
  cfg.max_records = 2;
  cfg.max_wait_ms = 5;
  Batcher batcher(s.io.get_executor(), cfg,
                  [&](std::shared_ptr<const Batch> b) { s.dispatcher->dispatch(std::move(b)); });
  for (int i = 0; i < 5; ++i) batcher.add("{}", Level::kError);
  const uint64_t last = batcher.openSeq();
  REQUIRE(runUntil(s.io, [&] { return s.dispatcher->ackedThrough() == last; }));
  CHECK(last == 3);
  CHECK(s.dispatcher->stats()[0].sent_records == 5);
  CHECK(s.dispatcher->stats()[1].sent_records == 5);
  CHECK(s.dispatcher->stats()[1].retries == 3);
}

}  // namespace
}  // namespace homeo
