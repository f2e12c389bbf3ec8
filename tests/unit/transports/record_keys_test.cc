#include "transports/record_keys.h"

#include <catch2/catch.hpp>

namespace homeo {
namespace {

TEST_CASE("RecordKeyReader finds the keys of a serialized record", "[transports]") {
  RecordKeyReader reader;
  RecordKeys keys;
  REQUIRE(reader.read(
      R"({"timestamp":"t","service":"api","error_id":"e-1","error_details":{"error_id":"x"},)"
      R"("context":{"service":"no","metadata":{"fingerprint":"no"}},)"
      R"("metadata":{"source":{"path":"/var/log/a\/b.log","offset":3},"format":"json",)"
      R"("fingerprint":"fp1","raw_log":"r"}})",
      keys));
  CHECK(keys.service == "api");
  CHECK(keys.error_id == "e-1");
  CHECK(keys.fingerprint == "fp1");
  CHECK(keys.source_path == "/var/log/a/b.log");

  REQUIRE(reader.read(R"({"service":7,"metadata":"x"})", keys));
  CHECK(keys.service.empty());
  CHECK(keys.fingerprint.empty());
  CHECK_FALSE(reader.read("[1]", keys));
  CHECK_FALSE(reader.read("", keys));
  CHECK_FALSE(reader.read("2024-03-11 - INFO - {}", keys));
  CHECK_FALSE(reader.read(R"({"service":)", keys));
}

}  // namespace
}  // namespace homeo
