#include <catch2/catch.hpp>

#include "parsers/line_header.h"
#include "parsers/text/text_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

using namespace homeo;

TEST_CASE("trace: Java exception with causes", "[trace]") {
  ErrorRecord r;
  std::vector<std::string_view> lines = {"java.lang.IllegalStateException: cart is closed",
                                         "\tat com.shop.Cart.add(Cart.java:42)",
                                         "\tat com.shop.Api.handle(Api.java:7)",
                                         "Caused by: java.io.IOException: disk", "\t... 2 more"};
  REQUIRE(analyzeTrace(lines, r));
  CHECK(r.language == "java");
  CHECK(r.exception_type == "java.lang.IllegalStateException");
  CHECK(r.message == "cart is closed");
  REQUIRE(r.frames.size() == 2);
  // Outermost first: Java prints the innermost frame first.
  CHECK(r.frames.front().class_name == "com.shop.Api");
  CHECK(r.frames.front().function == "handle");
  CHECK(r.frames.back().file == "Cart.java");
  CHECK(r.frames.back().line == 42);
}

TEST_CASE("trace: no trace in plain lines", "[trace]") {
  ErrorRecord r;
  std::vector<std::string_view> lines = {"just a line", "another one"};
  CHECK_FALSE(analyzeTrace(lines, r));
  CHECK(r.frames.empty());
  CHECK(looksLikeTraceLine("  File \"/a.py\", line 1, in f"));
  CHECK(looksLikeTraceLine("Traceback (most recent call last):"));
  CHECK_FALSE(looksLikeTraceLine("2023-01-01 ERROR x"));
}

TEST_CASE("text: level words and bare tracebacks", "[text]") {
  auto p = makeTextParser();
  ErrorRecord r;
  REQUIRE(test::parseEvent(*p, "2024-01-01T10:00:00Z [error] upstream timed out", r) ==
          ParseStatus::kRecord);
  CHECK(r.level == Level::kError);
  CHECK(r.message == "upstream timed out");

  ErrorRecord info;
  CHECK(test::parseEvent(*p, "an error occurred somewhere in prose", info, Level::kError) ==
        ParseStatus::kBelowLevel);

  ErrorRecord bare;
  REQUIRE(test::parseEvent(*p,
                           "Traceback (most recent call last):\n"
                           "  File \"/x/main.py\", line 5, in <module>\n"
                           "ZeroDivisionError: division by zero",
                           bare) == ParseStatus::kRecord);
  CHECK(bare.level == Level::kError);
  CHECK(bare.exception_type == "ZeroDivisionError");
  CHECK(bare.message == "division by zero");
}

TEST_CASE("text: continuation keeps a traceback together", "[text]") {
  auto p = makeTextParser();
  std::vector<std::string_view> ev = {"Traceback (most recent call last):",
                                      "  File \"/x.py\", line 1, in f"};
  CHECK(p->continuesEvent(ev, "    x()"));
  CHECK(p->continuesEvent(ev, "KeyError: 'a'"));
  std::vector<std::string_view> plain = {"hello"};
  CHECK_FALSE(p->continuesEvent(plain, "world"));
}

TEST_CASE("line header: level tokens", "[text]") {
  CHECK(findLevelToken("ERROR something") == Level::kError);
  CHECK(findLevelToken("[warn] x") == Level::kWarning);
  CHECK(findLevelToken("level=fatal msg=x") == Level::kCritical);
  CHECK_FALSE(findLevelToken("the author wrote an error report").has_value());
}
