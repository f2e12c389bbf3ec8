#include <catch2/catch.hpp>

#include "tests/unit/transports/test_util.h"
#include "transports/transport.h"

namespace homeo {
namespace {

TEST_CASE("Batch::ndjson ends every record with a newline", "[transports]") {
  CHECK(Batch{}.ndjson().empty());
  auto batch = testing::makeBatch(1, {"{\"a\":1}", "{}"});
  CHECK(batch->ndjson() == "{\"a\":1}\n{}\n");
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
