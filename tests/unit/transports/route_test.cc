#include "transports/route.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/unit/transports/fake_transport.h"
#include "tests/unit/transports/test_util.h"
#include "transports/batcher.h"
#include "transports/dispatcher.h"

namespace homeo {
namespace {

using testing::FakeTransport;
using testing::runUntil;
using namespace std::chrono_literals;

TEST_CASE("RouteFilter matches level, service and any tag", "[transports][route]") {
  RouteFilter all;
  CHECK(all.empty());
  CHECK(all.wants(Level::kDebug, nullptr));

  RouteFilter f;
  f.min_level = Level::kError;
  f.services = {"alpha", "beta"};
  f.tags = {"web", "api"};
  CHECK_FALSE(f.empty());
  const RecordRoute web{"alpha", {"x", "web"}};
  const RecordRoute jobs{"alpha", {"jobs"}};
  const RecordRoute other{"gamma", {"web"}};
  CHECK(f.wants(Level::kError, &web));
  CHECK(f.wants(Level::kCritical, &web));
  CHECK_FALSE(f.wants(Level::kWarning, &web));
  CHECK_FALSE(f.wants(Level::kError, &jobs));
  CHECK_FALSE(f.wants(Level::kError, &other));
  CHECK_FALSE(f.wants(Level::kError, nullptr));  // no service known: not listed
}

TEST_CASE("splitRouteOptions takes the common options out and checks them", "[transports][route]") {
  std::vector<config::Diagnostic> diags;
  RouteFilter filter;
  auto cfg = testing::makeTransportConfig(
      "file", {{"path", "/tmp/x"}, {"min_level", "warning"}, {"services", "alpha"}});
  SpoolOptions spool;
  config::TransportConfig rest = splitRouteOptions(cfg, filter, spool, diags);
  CHECK(diags.empty());
  CHECK(filter.min_level == Level::kWarning);
  CHECK(filter.services == std::vector<std::string>{"alpha"});
  CHECK(rest.type == "file");
  CHECK(rest.options.has("path"));
  CHECK_FALSE(rest.options.has("min_level"));
  CHECK_FALSE(rest.options.has("services"));

  auto bad = testing::makeTransportConfig("file", {{"path", "/tmp/x"}, {"min_level", "LOUD"}});
  splitRouteOptions(bad, filter, spool, diags);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].str().find("test.yaml:4:") != std::string::npos);
  CHECK(diags[0].str().find("min_level") != std::string::npos);
}

TEST_CASE("Registry applies routing options to every transport type", "[transports][route]") {
  TransportRegistry registry;
  registerBuiltinTransports(registry);
  boost::asio::io_context io;
  TransportContext ctx{io.get_executor(), "/tmp"};
  std::vector<config::Diagnostic> diags;
  auto t = registry.find("stdout")->create(
      ctx, testing::makeTransportConfig("stdout", {{"tags", "web"}, {"min_level", "CRITICAL"}}),
      diags);
  REQUIRE(t);
  CHECK(diags.empty());
  CHECK(t->route().tags == std::vector<std::string>{"web"});
  CHECK(t->route().min_level == Level::kCritical);

  // Unknown keys are still the factory's to reject.
  auto u = registry.find("stdout")->create(
      ctx, testing::makeTransportConfig("stdout", {{"tags", "web"}, {"nope", "1"}}), diags);
  CHECK_FALSE(u);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].message.find("unknown key 'nope'") != std::string::npos);
}

struct Routed {
  boost::asio::io_context io;
  std::vector<FakeTransport*> fakes;
  std::unique_ptr<Dispatcher> dispatcher;

  explicit Routed(std::vector<RouteFilter> filters) {
    std::vector<std::unique_ptr<Transport>> owned;
    for (auto& f : filters) {
      auto t = std::make_unique<FakeTransport>(
          io.get_executor(), "fake", 1, [](const Batch&, int) { return SendResult::kAccepted; });
      t->setRoute(std::move(f));
      fakes.push_back(t.get());
      owned.push_back(std::move(t));
    }
    DispatcherOptions options;
    options.initial_backoff = 1ms;
    options.max_backoff = 4ms;
    dispatcher = std::make_unique<Dispatcher>(io.get_executor(), std::move(owned), options);
  }
};

TEST_CASE("Dispatcher sends each transport only the records it wants", "[transports][route]") {
  RouteFilter critical;
  critical.min_level = Level::kCritical;
  RouteFilter web;
  web.tags = {"web"};
  Routed r({RouteFilter{}, critical, web});

  config::BatchConfig bc;
  bc.max_records = 4;
  Batcher batcher(r.io.get_executor(), bc,
                  [&](std::shared_ptr<const Batch> b) { r.dispatcher->dispatch(std::move(b)); });
  const std::vector<std::string> web_tags{"web"};
  const std::vector<std::string> jobs_tags{"jobs"};
  // Batch 1: mixed. Batch 2: nothing critical, nothing web.
  batcher.add("{\"n\":1}", Level::kError, "a", web_tags);
  batcher.add("{\"n\":2}", Level::kCritical, "a", jobs_tags);
  batcher.add("{\"n\":3}", Level::kCritical, "a", web_tags);
  batcher.add("{\"n\":4}", Level::kError, "a", jobs_tags);
  batcher.add("{\"n\":5}", Level::kError, "a", jobs_tags);
  batcher.add("{\"n\":6}", Level::kError, "b", jobs_tags);
  batcher.flush();

  REQUIRE(runUntil(r.io, [&] { return r.dispatcher->ackedThrough() == 2; }));
  auto records = [&](size_t lane) {
    std::vector<std::string> out;
    for (const auto& call : r.fakes[lane]->calls) {
      for (const auto& rec : call.batch->records) out.push_back(rec);
    }
    return out;
  };
  CHECK(records(0).size() == 6);
  CHECK(records(1) == std::vector<std::string>{"{\"n\":2}", "{\"n\":3}"});
  CHECK(records(2) == std::vector<std::string>{"{\"n\":1}", "{\"n\":3}"});
  // A batch a transport wants none of is never sent to it, yet acknowledged.
  CHECK(r.fakes[1]->seqs() == std::vector<uint64_t>{1});
  CHECK(r.fakes[2]->seqs() == std::vector<uint64_t>{1});
  const auto stats = r.dispatcher->stats();
  CHECK(stats[0].skipped_records == 0);
  CHECK(stats[1].skipped_records == 4);
  CHECK(stats[1].sent_records == 2);
  CHECK(stats[2].skipped_records == 4);
  CHECK(r.dispatcher->idle());
}

TEST_CASE("Dispatcher acknowledges a batch no transport wants", "[transports][route]") {
  RouteFilter none;
  none.services = {"nobody"};
  Routed r({none, none});
  r.dispatcher->dispatch(testing::makeBatch(1, {"{}", "{}"}));
  CHECK(r.dispatcher->ackedThrough() == 1);
  CHECK(r.fakes[0]->calls.empty());
  CHECK(r.fakes[1]->calls.empty());
}

// Records every batch it is sent; fails the first `failures` sends.
class SinkTransport : public Transport {
 public:
  SinkTransport(boost::asio::any_io_executor ex, int failures)
      : ex_(std::move(ex)), failures_(failures) {}
  std::string_view type() const override { return "sink"; }
  void send(std::shared_ptr<const Batch> batch, SendDone done) override {
    const bool fail = failures_-- > 0;
    if (!fail) batches.push_back(batch);
    boost::asio::post(ex_, [done = std::move(done), fail] {
      done(fail ? SendResult::kRetryable : SendResult::kAccepted, fail ? "disk full" : "");
    });
  }
  std::vector<std::shared_ptr<const Batch>> batches;

 private:
  boost::asio::any_io_executor ex_;
  int failures_;
};

TEST_CASE("Dispatcher writes rejected batches to the dead-letter sink before acknowledging",
          "[transports][deadletter]") {
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Transport>> owned;
  owned.push_back(
      std::make_unique<FakeTransport>(io.get_executor(), "picky", 1, [](const Batch& b, int) {
        return b.seq == 1 ? SendResult::kPermanent : SendResult::kAccepted;
      }));
  owned.push_back(std::make_unique<FakeTransport>(
      io.get_executor(), "easy", 1, [](const Batch&, int) { return SendResult::kAccepted; }));
  DispatcherOptions options;
  options.initial_backoff = 1ms;
  options.max_backoff = 4ms;
  Dispatcher dispatcher(io.get_executor(), std::move(owned), options);
  auto sink = std::make_unique<SinkTransport>(io.get_executor(), 2);  // fails twice first
  SinkTransport* dl = sink.get();
  dispatcher.setDeadLetter(std::move(sink));

  dispatcher.dispatch(testing::makeBatch(1, {"{\"a\":1}", "{\"b\":\"x\\\"y\"}"}));
  dispatcher.dispatch(testing::makeBatch(2, {"{}"}));
  REQUIRE(runUntil(io, [&] { return dispatcher.ackedThrough() == 2; }));
  REQUIRE(dl->batches.size() == 1);
  const Batch& lines = *dl->batches[0];
  REQUIRE(lines.records.size() == 2);
  CHECK(lines.records[0] ==
        "{\"transport\":\"picky\",\"reason\":\"scripted\",\"record\":{\"a\":1}}");
  CHECK(lines.records[1] ==
        "{\"transport\":\"picky\",\"reason\":\"scripted\",\"record\":{\"b\":\"x\\\"y\"}}");
  const auto stats = dispatcher.stats();
  CHECK(stats[0].failed_records == 2);
  CHECK(stats[0].dead_lettered_records == 2);
  CHECK(stats[0].sent_batches == 1);  // batch 2 was not held up by the rejected one
}

// Takes every batch but the records whose index `rejects` names, which it rejects for good.
class PartlyRejecting : public Transport {
 public:
  PartlyRejecting(boost::asio::any_io_executor ex, std::vector<size_t> rejects)
      : ex_(std::move(ex)), rejects_(std::move(rejects)) {}
  std::string_view type() const override { return "per-record"; }
  void send(std::shared_ptr<const Batch> batch, SendDone done) override {
    std::vector<RejectedRecord> rejected;
    for (size_t i : rejects_) {
      if (i < batch->records.size())
        rejected.push_back({i, "HTTP 400: record " + std::to_string(i)});
    }
    ++sends;
    boost::asio::post(ex_, [done = std::move(done), rejected = std::move(rejected)]() mutable {
      done.partlyRejected(std::move(rejected));
    });
  }
  int sends = 0;

 private:
  boost::asio::any_io_executor ex_;
  std::vector<size_t> rejects_;
};

TEST_CASE("Dispatcher dead-letters only the records a destination rejected, each with its reason",
          "[transports][deadletter]") {
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Transport>> owned;
  owned.push_back(std::make_unique<PartlyRejecting>(io.get_executor(), std::vector<size_t>{1, 3}));
  DispatcherOptions options;
  options.initial_backoff = 1ms;
  options.max_backoff = 4ms;
  Dispatcher dispatcher(io.get_executor(), std::move(owned), options);
  auto sink = std::make_unique<SinkTransport>(io.get_executor(), 1);  // fails once first
  SinkTransport* dl = sink.get();
  dispatcher.setDeadLetter(std::move(sink));
  std::vector<std::string> rejected_seen;
  dispatcher.onPermanentFailure(
      [&](size_t, const Batch& batch, const std::string&) { rejected_seen = batch.records; });

  dispatcher.dispatch(testing::makeBatch(1, {"{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}));
  // The batch is acknowledged only once the sink holds its rejected records.
  REQUIRE(runUntil(io, [&] { return dispatcher.ackedThrough() == 1; }));
  REQUIRE(dl->batches.size() == 1);
  const Batch& lines = *dl->batches[0];
  REQUIRE(lines.records.size() == 2);
  CHECK(lines.records[0] ==
        "{\"transport\":\"per-record\",\"reason\":\"HTTP 400: record 1\",\"record\":{\"n\":1}}");
  CHECK(lines.records[1] ==
        "{\"transport\":\"per-record\",\"reason\":\"HTTP 400: record 3\",\"record\":{\"n\":3}}");
  CHECK(rejected_seen == std::vector<std::string>{"{\"n\":1}", "{\"n\":3}"});
  auto stats = dispatcher.stats();
  CHECK(stats[0].sent_records == 2);
  CHECK(stats[0].failed_records == 2);
  CHECK(stats[0].failed_batches == 0);
  CHECK(stats[0].dead_lettered_records == 2);
  CHECK(stats[0].retries == 0);  // the destination is not asked again

  // Without a dead-letter sink the batch is done at once, the rejected records counted.
  std::vector<std::unique_ptr<Transport>> again;
  again.push_back(std::make_unique<PartlyRejecting>(io.get_executor(), std::vector<size_t>{0}));
  Dispatcher bare(io.get_executor(), std::move(again), options);
  bare.dispatch(testing::makeBatch(1, {"{}", "{}", "{}"}));
  REQUIRE(runUntil(io, [&] { return bare.ackedThrough() == 1; }));
  stats = bare.stats();
  CHECK(stats[0].sent_records == 2);
  CHECK(stats[0].failed_records == 1);
}

TEST_CASE("Dispatcher waits at least the Retry-After a transport reports", "[transports]") {
  class Busy : public Transport {
   public:
    explicit Busy(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}
    std::string_view type() const override { return "busy"; }
    void send(std::shared_ptr<const Batch>, SendDone done) override {
      times.push_back(std::chrono::steady_clock::now());
      const bool first = times.size() == 1;
      boost::asio::post(ex_, [done = std::move(done), first] {
        if (first) {
          done(SendResult::kRetryable, "HTTP 429", 150ms);
        } else {
          done(SendResult::kAccepted, "");
        }
      });
    }
    std::vector<std::chrono::steady_clock::time_point> times;

   private:
    boost::asio::any_io_executor ex_;
  };
  boost::asio::io_context io;
  auto owned = std::make_unique<Busy>(io.get_executor());
  Busy* busy = owned.get();
  std::vector<std::unique_ptr<Transport>> ts;
  ts.push_back(std::move(owned));
  DispatcherOptions options;
  options.initial_backoff = 1ms;
  options.max_backoff = 4ms;
  Dispatcher dispatcher(io.get_executor(), std::move(ts), options);
  dispatcher.dispatch(testing::makeBatch(1, {"{}"}));
  REQUIRE(runUntil(io, [&] { return dispatcher.ackedThrough() == 1; }));
  REQUIRE(busy->times.size() == 2);
  CHECK(busy->times[1] - busy->times[0] >= 150ms);
}

}  // namespace
}  // namespace homeo
