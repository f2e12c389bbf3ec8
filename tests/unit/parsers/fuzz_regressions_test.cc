// Inputs the fuzz targets (fuzz/) found to crash or misbehave, each reduced to what matters.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "common/record.h"
#include "parsers/parser.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {
namespace {

std::unique_ptr<Parser> builtin(std::string_view name) {
  ParserRegistry registry;
  registerBuiltinParsers(registry);
  const ParserFactory* f = registry.find(name);
  REQUIRE(f != nullptr);
  return f->create();
}

TEST_CASE("fuzz: json epoch time past 2262 is unknown, not a negative time", "[fuzz][json]") {
  auto p = builtin("json");
  ErrorRecord r;
  REQUIRE(test::parseEvent(*p, R"({"level":50,"time":17042078453,"msg":"x"})", r) ==
          ParseStatus::kRecord);
  CHECK(r.time == 0);
  CHECK(r.message == "x");
}

TEST_CASE("fuzz: an epoch prefix past 2262 is not read as a time", "[fuzz][epoch]") {
  auto p = builtin("epoch");
  // 9709633701 s is in the year 2277: in nanoseconds it would overflow int64.
  CHECK(p->probe("9709633701 ERROR worker crashed") == 0);
  CHECK(p->probe("1709633701 ERROR worker crashed") > 0);
}

}  // namespace
}  // namespace homeo
