#include <simdjson.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "transports/spool_file.h"

using namespace homeo;

TEST_CASE("Spool batch names round trip", "[transports][spool]") {
  CHECK(spoolFileName(0x2a, 7) == "000000000000002a-7.ndjson");
  uint64_t id = 0;
  size_t records = 0;
  REQUIRE(parseSpoolFileName("000000000000002a-7.ndjson", id, records));
  CHECK(id == 0x2a);
  CHECK(records == 7);
  CHECK_FALSE(parseSpoolFileName("000000000000002a-7.ndjson.tmp", id, records));
  CHECK_FALSE(parseSpoolFileName("quarantine", id, records));
  CHECK_FALSE(parseSpoolFileName("000000000000002a-7.json", id, records));
}

TEST_CASE("Spooled records come back with their level and route", "[transports][spool]") {
  simdjson::dom::parser parser;
  std::vector<std::string> records;
  std::vector<Level> levels;
  std::vector<RecordRoute> routes;
  forEachSpooledRecord(
      "{\"level\":\"CRITICAL\",\"service\":\"api\",\"tags\":[\"web\",3]}\n\nnot json\n{}", parser,
      [&](std::string_view record, Level level, RecordRoute route) {
        records.emplace_back(record);
        levels.push_back(level);
        routes.push_back(std::move(route));
      });
  REQUIRE(records.size() == 3);  // the empty line is no record; the last needs no newline
  CHECK(levels[0] == Level::kCritical);
  CHECK(routes[0].service == "api");
  CHECK(routes[0].tags == std::vector<std::string>{"web"});
  CHECK(records[1] == "not json");
  CHECK(levels[1] == Level::kError);
  CHECK(routes[1].service.empty());
  CHECK(records[2] == "{}");
}
