#include <catch2/catch.hpp>

#include "parsers/regex/regex_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

using namespace homeo;

TEST_CASE("regex: named groups fill the record", "[regex]") {
  auto p = makeRegexParser(
      "bracket2",
      R"(^\[(?P<level>\w+)\]\[(?P<timestamp>[^\]]+)\] (?P<module>\S+) - (?P<message>.*)$)");
  REQUIRE(p);
  ErrorRecord r;
  REQUIRE(test::parseEvent(*p, "[ERROR][2023-05-20 14:30:22] billing - ValueError: negative", r) ==
          ParseStatus::kRecord);
  CHECK(r.level == Level::kError);
  CHECK(r.module == "billing");
  CHECK(r.exception_type == "ValueError");
  CHECK(r.message == "negative");
  CHECK(p->startsEvent("[INFO][x] a - b"));
  CHECK_FALSE(p->startsEvent("  continuation"));
}

TEST_CASE("regex: other groups go to context; bad patterns are refused", "[regex]") {
  auto p = makeRegexParser("kv", R"(^(?P<level>\w+) user=(?P<user>\w+) (?P<message>.*)$)");
  REQUIRE(p);
  ErrorRecord r;
  REQUIRE(test::parseEvent(*p, "ERROR user=alice payment declined", r) == ParseStatus::kRecord);
  const JsonValue* user = findField(r.context, "user");
  REQUIRE(user);
  CHECK(*user->asString() == "alice");
  CHECK(test::parseEvent(*p, "INFO user=bob fine", r, Level::kError) == ParseStatus::kBelowLevel);
  std::string error;
  CHECK(makeRegexParser("bad", "(unclosed", &error) == nullptr);
  CHECK_FALSE(error.empty());
}
