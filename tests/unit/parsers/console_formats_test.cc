// More default text layouts of popular loggers that have a format of their own, written as the
// libraries print them, and how detection tells them from the formats around them.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "common/timeutil.h"
#include "tests/unit/parsers/logger_helpers.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {

using test::clockOf;
using test::detected;
using test::localTime;
using test::notInTheFuture;
using test::num;
using test::parseAs;
using test::readLines;
using test::str;
using test::utc;

namespace {

ParseStatus parseWith(std::string_view format, std::string_view text, Level min_level) {
  Parser* p = test::sharedBuiltinSet().find(format);
  REQUIRE(p != nullptr);
  ErrorRecord r;
  return test::parseEvent(*p, text, r, min_level);
}

}  // namespace

TEST_CASE("golog: log/slog's default handler", "[golog]") {
  const std::vector<std::string_view> lines = {
      "2024/03/11 19:45:09 INFO listening addr=:8080",
      "2024/03/11 19:45:10 ERROR payment refused order=7 err=\"card declined\"",
      "2024/03/11 19:45:11 WARN slow query ms=812",
      "2024/03/11 19:45:12 ERROR+2 ledger out of balance",
  };
  CHECK(detected(lines) == "golog");
  const auto out = readLines(lines, Level::kWarning);
  REQUIRE(out.size() == 3);
  CHECK(out[0].level == Level::kError);
  CHECK(out[0].message == "payment refused");
  CHECK(str(out[0].context, "order") == "7");
  CHECK(str(out[0].context, "err") == "card declined");
  CHECK(out[1].level == Level::kWarning);
  CHECK(out[1].message == "slow query");
  CHECK(out[2].level == Level::kError);
  CHECK(out[2].message == "ledger out of balance");
  CHECK(parseWith("golog", lines[0], Level::kError) == ParseStatus::kBelowLevel);
  // A message that only starts like a level keeps its words.
  auto p = parseAs("golog", "2024/03/11 19:45:10 INFORMATION follows");
  CHECK(p.record.message == "INFORMATION follows");
}

}  // namespace homeo
