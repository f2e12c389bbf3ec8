// Inputs the config fuzz target (fuzz/config_fuzz.cc) found, each reduced to what matters.
#include <catch2/catch.hpp>

#include "config/config.h"

using namespace homeo::config;

// yaml-cpp 0.7's LoadAll never returned on these (an endless run of empty documents that
// filled memory); `check` and a SIGHUP reload hung.
TEST_CASE("fuzz: YAML the parser cannot get past is a syntax error, not a hang", "[config]") {
  LoadResult r = parseConfig(",-:\n", "test.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() == "test.yaml:1:1: YAML syntax error: unexpected ','");
  CHECK_FALSE(r.config.has_value());

  r = parseConfig(",\n", "test.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "YAML syntax error: unexpected ','");

  r = parseConfig("{E}U\n---\n,-:`N\n", "test.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK_FALSE(r.config.has_value());
}
