#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/unit/transports/test_util.h"
#include "transports/transport.h"

namespace homeo {
namespace {

TEST_CASE("Batch::ndjson ends every record with a newline", "[transports]") {
  CHECK(Batch{}.ndjson().empty());
  auto batch = testing::makeBatch(1, {"{\"a\":1}", "{}"});
  CHECK(batch->ndjson() == "{\"a\":1}\n{}\n");
}

TEST_CASE("SendDone hands rejected records to a completion that takes them", "[transports]") {
  std::vector<RejectedRecord> got;
  SendResult result = SendResult::kRetryable;
  SendDone done([&](SendResult r, std::string, std::chrono::milliseconds,
                    std::vector<RejectedRecord> rejected) {
    result = r;
    got = std::move(rejected);
  });
  done.partlyRejected({{1, "HTTP 400"}, {3, "HTTP 413"}});
  CHECK(result == SendResult::kAccepted);
  REQUIRE(got.size() == 2);
  CHECK(got[0].index == 1);
  CHECK(got[1].reason == "HTTP 413");
  done(SendResult::kPermanent, "no");
  CHECK(result == SendResult::kPermanent);
  CHECK(got.empty());
}

TEST_CASE(
    "SendDone makes rejected records a rejected batch for a completion that cannot take "
    "them",
    "[transports]") {
  SendResult result = SendResult::kAccepted;
  std::string why;
  SendDone done([&](SendResult r, std::string reason) {
    result = r;
    why = std::move(reason);
  });
  done.partlyRejected({{0, "HTTP 400 Bad Request: bad"}, {2, "HTTP 400"}});
  CHECK(result == SendResult::kPermanent);
  CHECK(why == "2 records rejected: HTTP 400 Bad Request: bad");
}

TEST_CASE("TransportRegistry finds registered factories", "[transports]") {
  TransportRegistry registry;
  CHECK(registry.find("stdout") == nullptr);
  registerBuiltinTransports(registry);
  REQUIRE(registry.find("stdout") != nullptr);
  REQUIRE(registry.find("file") != nullptr);
  CHECK(registry.find("file")->type == "file");
  CHECK_FALSE(registry.find("file")->description.empty());
  REQUIRE(registry.find("http") != nullptr);
  REQUIRE(registry.find("kafka") != nullptr);
  REQUIRE(registry.find("amqp") != nullptr);
  REQUIRE(registry.find("postgres") != nullptr);
  REQUIRE(registry.find("sqlite") != nullptr);
  REQUIRE(registry.find("homeostasis") != nullptr);
  CHECK(registry.all().size() == 8);
}

}  // namespace
}  // namespace homeo
