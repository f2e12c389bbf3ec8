#include "transports/batcher.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

using testing::runReady;
using testing::runUntil;
using namespace std::chrono_literals;

struct Fixture {
  boost::asio::io_context io;
  std::vector<std::shared_ptr<const Batch>> batches;
  Batcher::Dispatch sink() {
    return [this](std::shared_ptr<const Batch> b) { batches.push_back(std::move(b)); };
  }
};

config::BatchConfig batchConfig(size_t records, size_t bytes, uint32_t wait_ms) {
  config::BatchConfig cfg;
  cfg.max_records = records;
  cfg.max_bytes = bytes;
  cfg.max_wait_ms = wait_ms;
  return cfg;
}

TEST_CASE("Batcher seals by record count", "[transports]") {
  Fixture f;
  Batcher batcher(f.io.get_executor(), batchConfig(3, 1 << 20, 60000), f.sink());
  CHECK(batcher.openSeq() == 1);
  CHECK(batcher.lastSealedSeq() == 0);
  for (int i = 0; i < 7; ++i) {
    const uint64_t expected = batcher.openSeq();
    CHECK(batcher.add("{\"n\":" + std::to_string(i) + "}",
                      i == 1 ? Level::kCritical : Level::kError) == expected);
  }
  REQUIRE(f.batches.size() == 2);
  CHECK(f.batches[0]->seq == 1);
  CHECK(f.batches[1]->seq == 2);
  CHECK(f.batches[0]->records == std::vector<std::string>{"{\"n\":0}", "{\"n\":1}", "{\"n\":2}"});
  CHECK(f.batches[0]->levels == std::vector<Level>{Level::kError, Level::kCritical, Level::kError});
  CHECK(f.batches[0]->bytes == 21);
  CHECK(f.batches[1]->records.front() == "{\"n\":3}");
  CHECK(batcher.openSeq() == 3);
  CHECK(batcher.lastSealedSeq() == 2);
  CHECK(batcher.pendingRecords() == 1);
  CHECK(batcher.pendingBytes() == 7);
}

TEST_CASE("Batcher seals by bytes", "[transports]") {
  Fixture f;
  Batcher batcher(f.io.get_executor(), batchConfig(500, 10, 60000), f.sink());
  batcher.add("aaaa", Level::kError);
  batcher.add("bbbb", Level::kError);
  CHECK(f.batches.empty());
  batcher.add("cc", Level::kError);  // reaches 10 bytes
  REQUIRE(f.batches.size() == 1);
  CHECK(f.batches[0]->bytes == 10);
  CHECK(f.batches[0]->records.size() == 3);

  batcher.add("x", Level::kError);
  batcher.add("yyyyyyyyyyyy", Level::kError);  // crosses the limit: stays in this batch
  REQUIRE(f.batches.size() == 2);
  CHECK(f.batches[1]->seq == 2);
  CHECK(f.batches[1]->records == std::vector<std::string>{"x", "yyyyyyyyyyyy"});
  CHECK(f.batches[1]->bytes == 13);

  batcher.add("zzzzzzzzzzzzzzzzzzzz", Level::kError);  // one oversized record: a batch of its own
  REQUIRE(f.batches.size() == 3);
  CHECK(f.batches[2]->records.size() == 1);
  CHECK(batcher.pendingRecords() == 0);
}

TEST_CASE("Batcher seals by timer", "[transports]") {
  Fixture f;
  Batcher batcher(f.io.get_executor(), batchConfig(500, 1 << 20, 30), f.sink());
  const auto start = std::chrono::steady_clock::now();
  batcher.add("{}", Level::kError);
  batcher.add("{}", Level::kWarning);
  runReady(f.io);
  CHECK(f.batches.empty());
  REQUIRE(runUntil(
      f.io, [&] { return !f.batches.empty(); }, 5s));
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  REQUIRE(f.batches.size() == 1);
  CHECK(f.batches[0]->seq == 1);
  CHECK(f.batches[0]->records.size() == 2);
  CHECK(batcher.lastSealedSeq() == 1);
  CHECK(batcher.openSeq() == 2);

  // Nothing open, nothing sealed later.
  f.io.restart();
  f.io.run_for(60ms);
  CHECK(f.batches.size() == 1);

  // A new first record starts a new timer.
  batcher.add("{}", Level::kError);
  REQUIRE(runUntil(
      f.io, [&] { return f.batches.size() == 2; }, 5s));
  CHECK(f.batches[1]->seq == 2);
}

TEST_CASE("Batcher timer of a batch sealed by count does not seal the next one early",
          "[transports]") {
  Fixture f;
  Batcher batcher(f.io.get_executor(), batchConfig(2, 1 << 20, 40), f.sink());
  batcher.add("a", Level::kError);
  batcher.add("b", Level::kError);  // sealed by count; its timer is cancelled
  REQUIRE(f.batches.size() == 1);
  batcher.add("c", Level::kError);
  f.io.restart();
  f.io.run_for(10ms);
  CHECK(f.batches.size() == 1);
  REQUIRE(runUntil(
      f.io, [&] { return f.batches.size() == 2; }, 5s));
  CHECK(f.batches[1]->records == std::vector<std::string>{"c"});
}

TEST_CASE("Batcher flush seals only a non-empty batch", "[transports]") {
  Fixture f;
  Batcher batcher(f.io.get_executor(), batchConfig(500, 1 << 20, 60000), f.sink());
  batcher.flush();
  CHECK(f.batches.empty());
  CHECK(batcher.openSeq() == 1);
  batcher.add("a", Level::kError);
  batcher.flush();
  REQUIRE(f.batches.size() == 1);
  CHECK(f.batches[0]->seq == 1);
  CHECK(batcher.lastSealedSeq() == 1);
  batcher.flush();
  CHECK(f.batches.size() == 1);
  runReady(f.io);  // the cancelled timer's handler runs harmlessly
  CHECK(f.batches.size() == 1);
}

TEST_CASE("Batcher destroyed with a running timer", "[transports]") {
  Fixture f;
  {
    Batcher batcher(f.io.get_executor(), batchConfig(500, 1 << 20, 1), f.sink());
    batcher.add("a", Level::kError);
  }
  f.io.run_for(20ms);
  CHECK(f.batches.empty());
}

}  // namespace
}  // namespace homeo
