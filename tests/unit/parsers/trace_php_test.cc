#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kPhp =
    "PHP Fatal error:  Uncaught Exception: card declined in /var/www/x.php:12\n"
    "Stack trace:\n"
    "#0 /var/www/y.php(3): charge(Object(Order))\n"
    "#1 {main}\n"
    "  thrown in /var/www/x.php on line 12";

}  // namespace

TEST_CASE("trace php: uncaught exception", "[trace][php]") {
  const ErrorRecord r = test::analyzeText(kPhp);
  CHECK(r.language == "php");
  CHECK(r.exception_type == "Exception");
  CHECK(r.message == "card declined");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.front().file == "/var/www/y.php");
  CHECK(r.frames.front().line == 3);
  CHECK(r.frames.front().function == "{main}");
  CHECK(r.frames.back().file == "/var/www/x.php");
  CHECK(r.frames.back().line == 12);
  CHECK(r.frames.back().function == "charge");
  CHECK(r.traceback.size() == 5);
}

TEST_CASE("trace php: fatal error without exception", "[trace][php]") {
  const ErrorRecord r = test::analyzeText(
      "[02-Mar-2026 10:00:05 UTC] PHP Fatal error:  Allowed memory size of 128 bytes exhausted "
      "in /var/www/r.php on line 210");
  CHECK(r.exception_type == "Fatal error");
  CHECK(r.message == "Allowed memory size of 128 bytes exhausted");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().line == 210);
}

TEST_CASE("trace php: grouping in the text format", "[trace][php]") {
  CHECK(test::groupText("PHP Notice: x\n" + std::string(kPhp) + "\nPHP Notice: y\n") ==
        std::vector<size_t>{1, 5, 1});
}

TEST_CASE("trace php: fingerprints", "[trace][php]") {
  const std::string a = test::fingerprintOf(kPhp);
  std::string moved(kPhp);
  moved.replace(moved.find("y.php(3)"), 8, "y.php(5)");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kPhp);
  other.replace(other.find("charge("), 7, "refund(");
  CHECK(test::fingerprintOf(other) != a);
}
