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
  CHECK(r.frames.back().class_name.empty());
  CHECK(r.traceback.size() == 5);
  CHECK(r.level == Level::kCritical);
}

TEST_CASE("trace php: methods, static calls and internal functions", "[trace][php]") {
  ErrorRecord r;
  r.level = Level::kWarning;  // php-fpm passes a child's stderr on as a warning
  std::vector<std::string_view> lines;
  splitLines(
      "PHP Fatal error:  Uncaught App\\OutOfStock: sku 7 in /var/www/src/Stock.php:30\n"
      "Stack trace:\n"
      "#0 /var/www/src/Cart.php(19): App\\Stock->take('7')\n"
      "#1 [internal function]: App\\Cart->add(Object(App\\Item))\n"
      "#2 /var/www/src/Checkout.php(44): array_map(Object(Closure), Array)\n"
      "#3 /var/www/public/index.php(8): App\\Checkout::run()\n"
      "#4 {main}\n"
      "  thrown in /var/www/src/Stock.php on line 30",
      lines);
  REQUIRE(analyzeTrace(lines, r));
  CHECK(r.level == Level::kCritical);
  CHECK(r.exception_type == "App\\OutOfStock");
  REQUIRE(r.frames.size() == 4);
  CHECK(r.frames[0].function == "{main}");
  CHECK(r.frames[1].file == "/var/www/src/Checkout.php");
  CHECK(r.frames[1].class_name == "App\\Checkout");
  CHECK(r.frames[1].function == "run");
  CHECK(r.frames[2].file == "/var/www/src/Cart.php");
  CHECK(r.frames[2].class_name == "App\\Cart");
  CHECK(r.frames[2].function == "add");
  CHECK(r.frames[3].file == "/var/www/src/Stock.php");
  CHECK(r.frames[3].class_name == "App\\Stock");
  CHECK(r.frames[3].function == "take");
}

TEST_CASE("trace php: a fatal error in PHP's own log is CRITICAL", "[trace][php]") {
  auto p = makeTextParser();
  std::vector<std::string_view> lines;
  splitLines(
      "[11-Mar-2026 10:15:01 UTC] PHP Fatal error:  Uncaught RuntimeException: locked in "
      "/var/www/src/Cart.php:44\n"
      "Stack trace:\n"
      "#0 {main}\n"
      "  thrown in /var/www/src/Cart.php on line 44",
      lines);
  ErrorRecord r;
  REQUIRE(p->parse(LogEvent{lines, 0}, Level::kCritical, r) == ParseStatus::kRecord);
  CHECK(r.level == Level::kCritical);
  CHECK(r.exception_type == "RuntimeException");
  // A warning stays a warning.
  std::vector<std::string_view> warning = {
      "[11-Mar-2026 10:15:02 UTC] PHP Warning:  Undefined variable $x in /var/www/a.php on line 3"};
  ErrorRecord w;
  REQUIRE(p->parse(LogEvent{warning, 0}, Level::kDebug, w) == ParseStatus::kRecord);
  CHECK(w.level != Level::kCritical);
}

TEST_CASE("trace php: fatal error without exception", "[trace][php]") {
  const ErrorRecord r = test::analyzeText(
      "[02-Mar-2026 10:00:05 UTC] PHP Fatal error:  Allowed memory size of 128 bytes exhausted "
      "in /var/www/r.php on line 210");
  CHECK(r.exception_type == "Fatal error");
  CHECK(r.message == "Allowed memory size of 128 bytes exhausted");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().line == 210);
  CHECK(r.level == Level::kCritical);
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
