#include <catch2/catch.hpp>

#include "parsers/bracket/bracket_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

using namespace homeo;

TEST_CASE("bracket: the guide's format", "[bracket]") {
  auto p = makeBracketParser();
  ErrorRecord r;
  REQUIRE(test::parseEvent(*p, "[ERROR][2023-05-20 14:30:22] app.users - KeyError: 'user_id'", r) ==
          ParseStatus::kRecord);
  CHECK(r.level == Level::kError);
  CHECK(r.module == "app.users");
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "'user_id'");
  CHECK(topLevelMessage(r) == "KeyError: 'user_id'");
  CHECK(r.time != 0);
}

TEST_CASE("bracket: plain message, levels, probe", "[bracket]") {
  auto p = makeBracketParser();
  ErrorRecord r;
  REQUIRE(test::parseEvent(*p, "[CRITICAL][2023-05-20 14:30:22] db - pool exhausted after 30s",
                           r) == ParseStatus::kRecord);
  CHECK(r.level == Level::kCritical);
  CHECK(r.exception_type.empty());
  CHECK(r.message == "pool exhausted after 30s");
  CHECK(test::parseEvent(*p, "[INFO][2023-05-20 14:30:22] db - ok", r, Level::kError) ==
        ParseStatus::kBelowLevel);
  CHECK(p->probe("[WARNING][2023-05-20 14:30:22] x - y") > 90);
  CHECK(p->probe("[notalevel][2023-05-20 14:30:22] x - y") == 0);
  CHECK(p->probe("2023-05-20 14:30:22 ERROR x") == 0);
}

TEST_CASE("bracket: a traceback after the header", "[bracket]") {
  auto p = makeBracketParser();
  ErrorRecord r;
  const char* ev =
      "[ERROR][2023-05-20 14:30:22] app.api - unhandled\n"
      "Traceback (most recent call last):\n"
      "  File \"/app/api.py\", line 42, in get_user\n"
      "AttributeError: 'NoneType' object has no attribute 'id'";
  REQUIRE(test::parseEvent(*p, ev, r) == ParseStatus::kRecord);
  CHECK(r.exception_type == "AttributeError");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames[0].line == 42);
}
