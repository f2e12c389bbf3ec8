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

TEST_CASE("php_error: error_log's lines, the fatal error and its stack trace", "[php_error]") {
  const std::vector<std::string_view> lines = {
      "[11-Mar-2024 19:45:09 UTC] PHP Warning:  Undefined variable $total in "
      "/var/www/app/src/Cart.php on line 31",
      "[11-Mar-2024 19:45:10 UTC] PHP Fatal error:  Uncaught Exception: payment refused in "
      "/var/www/app/src/Checkout.php:12",
      "Stack trace:",
      "#0 /var/www/app/public/index.php(8): App\\Checkout->pay()",
      "#1 {main}",
      "  thrown in /var/www/app/src/Checkout.php on line 12",
      "[11-Mar-2024 19:45:11 UTC] PHP Notice:  Undefined index: sku in /var/www/app/src/Cart.php "
      "on line 40",
  };
  CHECK(detected(lines) == "php_error");
  auto out = readLines(lines, Level::kDebug);
  REQUIRE(out.size() == 3);
  const ErrorRecord& fatal = out[1];
  CHECK(fatal.format == "php_error");
  CHECK(fatal.level == Level::kCritical);
  CHECK(fatal.time == utc("2024-03-11T19:45:10Z"));
  CHECK(fatal.exception_type == "Exception");
  CHECK(fatal.message == "payment refused");
  CHECK(fatal.language == "php");
  REQUIRE(fatal.frames.size() == 2);
  CHECK(fatal.frames.back().file == "/var/www/app/src/Checkout.php");
  CHECK(fatal.frames.back().line == 12);
  CHECK(fatal.frames.back().class_name == "App\\Checkout");
  CHECK(fatal.frames.back().function == "pay");
  REQUIRE(fatal.traceback.size() == 5);
  CHECK(fatal.traceback.front() == lines[1]);

  const ErrorRecord& warning = out[0];
  CHECK(warning.level == Level::kWarning);
  CHECK(warning.time == utc("2024-03-11T19:45:09Z"));
  CHECK(warning.message == "Undefined variable $total");
  CHECK(warning.exception_type.empty());
  REQUIRE(warning.frames.size() == 1);
  CHECK(warning.frames[0].file == "/var/www/app/src/Cart.php");
  CHECK(warning.frames[0].line == 31);
  CHECK(out[2].level == Level::kInfo);
  CHECK(out[2].message == "Undefined index: sku");

  // At min_level ERROR only the fatal error is a record.
  out = readLines(lines);
  REQUIRE(out.size() == 1);
  CHECK(out[0].level == Level::kCritical);
}

TEST_CASE("php_error: error kinds, zones, error_log() and PHP-FPM", "[php_error]") {
  auto p = parseAs("php_error",
                   "[11-Mar-2024 19:45:12 UTC] PHP Parse error:  syntax error, unexpected token "
                   "\"}\" in /var/www/app/src/Cart.php on line 55");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.exception_type == "ParseError");
  CHECK(p.record.message == "syntax error, unexpected token \"}\"");
  REQUIRE(p.record.frames.size() == 1);
  CHECK(p.record.frames[0].line == 55);

  // A fatal error that is no exception.
  p = parseAs("php_error",
              "[11-Mar-2024 19:45:12 UTC] PHP Fatal error:  Allowed memory size of 134217728 "
              "bytes exhausted (tried to allocate 20480 bytes) in /var/www/app/src/Feed.php on "
              "line 88");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.message.starts_with("Allowed memory size of 134217728 bytes exhausted"));
  REQUIRE(p.record.frames.size() == 1);
  CHECK(p.record.frames[0].file == "/var/www/app/src/Feed.php");

  p = parseAs("php_error",
              "[11-Mar-2024 19:45:13 UTC] PHP Deprecated:  Creation of dynamic property "
              "App\\Cart::$x is deprecated in /var/www/app/src/Cart.php on line 9");
  CHECK(p.record.level == Level::kInfo);
  p = parseAs("php_error",
              "[11-Mar-2024 19:45:13 UTC] PHP Recoverable fatal error:  Object of class App\\Cart "
              "could not be converted to string in /var/www/app/src/Cart.php on line 19");
  CHECK(p.record.level == Level::kError);

  // A zone other than UTC is read in the configured zone; fractions as FPM writes them.
  p = parseAs("php_error",
              "[11-Mar-2024 20:45:10 Europe/Berlin] PHP Warning:  Division by zero in /a.php on "
              "line 3");
  CHECK(p.record.time == localTime(2024, 3, 11, 20, 45, 10));

  // What the application wrote with error_log(): its words give the level.
  p = parseAs("php_error", "[11-Mar-2024 19:45:10 UTC] checkout: payment gateway failed");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "checkout: payment gateway failed");
  CHECK(parseWith("php_error", "[11-Mar-2024 19:45:10 UTC] cart 7 saved", Level::kError) ==
        ParseStatus::kBelowLevel);

  // PHP-FPM's own lines, and a worker's PHP error as FPM relays it.
  p = parseAs("php_error",
              "[11-Mar-2024 19:45:10] WARNING: [pool www] server reached pm.max_children "
              "setting (5), consider raising it");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kWarning);
  CHECK(p.record.time == localTime(2024, 3, 11, 19, 45, 10));
  p = parseAs("php_error",
              "[11-Mar-2024 19:45:10.123456] ALERT: [pool www] unable to bind listening socket");
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.time == localTime(2024, 3, 11, 19, 45, 10, 123456000));
  p = parseAs("php_error",
              "[11-Mar-2024 19:45:10] WARNING: [pool www] child 12 said into stderr: \"NOTICE: "
              "PHP message: PHP Warning:  Undefined variable $cart in /var/www/a.php on line 7\"");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kWarning);
  CHECK(p.record.message == "Undefined variable $cart");
  REQUIRE(p.record.frames.size() == 1);
  CHECK(p.record.frames[0].line == 7);
  CHECK(parseWith("php_error", "[11-Mar-2024 19:45:10] NOTICE: fpm is running, pid 1",
                  Level::kError) == ParseStatus::kBelowLevel);

  Parser* php = test::sharedBuiltinSet().find("php_error");
  REQUIRE(php);
  CHECK_FALSE(php->startsEvent("[Mon Mar 11 19:45:10.123 2024] [php:error] [pid 7] x"));
  CHECK_FALSE(php->startsEvent("[11-Foo-2024 19:45:10 UTC] PHP Warning:  x"));
  CHECK_FALSE(php->startsEvent("[11-Mar-2024 19:45:10 UTC]PHP Warning:  x"));
  CHECK(php->probe("[11-Mar-2024 19:45:10 UTC] PHP Warning:  x") >
        php->probe("[11-Mar-2024 19:45:10 UTC] x"));
}

TEST_CASE("elixir: Logger's default console format with metadata and a crash", "[elixir]") {
  const std::vector<std::string_view> lines = {
      "",
      "19:45:09.001 [info] Running ShopWeb.Endpoint with cowboy 2.10.0 at 0.0.0.0:4000 (http)",
      "",
      "19:45:10.123 request_id=F7mQ2x8a9b [error] GenServer Shop.Cart terminating",
      "** (RuntimeError) stock unknown",
      "    (shop 0.1.0) lib/shop/cart.ex:12: Shop.Cart.handle_call/3",
      "    (stdlib 5.2) gen_server.erl:1131: :gen_server.try_handle_call/4",
      "Last message (from #PID<0.123.0>): :total",
      "State: %{}",
      "",
      "19:45:11.000 [warning] slow query",
      "",
      "19:45:12.000 [warn]  payment refused",
  };
  CHECK(detected(lines) == "elixir");
  const auto out = readLines(lines, Level::kWarning);
  REQUIRE(out.size() == 3);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "elixir");
  CHECK(r.level == Level::kError);
  CHECK(clockOf(r.time) == "19:45:10");
  CHECK(r.time % 1'000'000'000 == 123'000'000);
  CHECK(notInTheFuture(r.time));
  CHECK(r.exception_type == "RuntimeError");
  CHECK(r.message == "stock unknown");
  CHECK(r.language == "elixir");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "lib/shop/cart.ex");
  CHECK(str(r.context, "log_message") == "GenServer Shop.Cart terminating");
  CHECK(str(r.request_info, "request_id") == "F7mQ2x8a9b");
  CHECK(out[1].level == Level::kWarning);
  CHECK(out[1].message == "slow query");
  // Elixir before 1.11 writes "warn", padded.
  CHECK(out[2].level == Level::kWarning);
  CHECK(out[2].message == "payment refused");

  auto p =
      parseAs("elixir", "19:45:10.123 mfa=Shop.Cart.total/1 pid=<0.86.0> [critical] disk full");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kCritical);
  CHECK(str(p.record.context, "mfa") == "Shop.Cart.total/1");
  CHECK(str(p.record.context, "pid") == "<0.86.0>");
  CHECK(p.record.message == "disk full");
  // "$date $time" is read, but other Erlang servers write dates and brackets too.
  p = parseAs("elixir", "2024-03-11 19:45:10.123 [error] payment refused");
  CHECK(p.record.time == localTime(2024, 3, 11, 19, 45, 10, 123000000));
  Parser* elixir = test::sharedBuiltinSet().find("elixir");
  REQUIRE(elixir);
  CHECK(elixir->probe("2024-03-11 19:45:10.123 [error] payment refused") == 0);
  CHECK(parseWith("elixir", "19:45:09.001 [info] started", Level::kError) ==
        ParseStatus::kBelowLevel);
  // logback's unconfigured default has a thread there, then the level.
  CHECK_FALSE(elixir->startsEvent("19:45:10.123 [main] ERROR com.acme.App - failed"));
  CHECK_FALSE(elixir->startsEvent("19:45:10.123 some words [error] x"));
}

TEST_CASE("jul: SimpleFormatter's two lines and the throwable", "[jul]") {
  const std::vector<std::string_view> lines = {
      "Mar 11, 2024 7:45:09 PM com.example.shop.App main",
      "INFO: started",
      "Mar 11, 2024 7:45:10 PM com.example.shop.Orders ship",
      "SEVERE: order 7 failed",
      "java.lang.IllegalStateException: no carrier for zone 9",
      "\tat com.example.shop.Carriers.forZone(Carriers.java:41)",
      "\tat com.example.shop.Orders.ship(Orders.java:20)",
      "Mar 11, 2024 7:45:11 PM com.example.shop.Orders ship",
      "WARNING: slow",
  };
  CHECK(detected(lines) == "jul");
  auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "jul");
  CHECK(r.level == Level::kError);
  CHECK(r.time == localTime(2024, 3, 11, 19, 45, 10));
  CHECK(r.module == "com.example.shop.Orders.ship");
  CHECK(r.exception_type == "java.lang.IllegalStateException");
  CHECK(r.message == "no carrier for zone 9");
  CHECK(str(r.context, "log_message") == "order 7 failed");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().class_name == "com.example.shop.Carriers");
  CHECK(r.frames.back().function == "forZone");
  CHECK(r.frames.back().line == 41);

  out = readLines(lines, Level::kDebug);
  REQUIRE(out.size() == 3);
  CHECK(out[0].level == Level::kInfo);
  CHECK(out[0].message == "started");
  CHECK(out[2].level == Level::kWarning);

  // Below an INFO line, a trace is a crash of its own (the header owns it only at WARNING).
  out = readLines({
      "Mar 11, 2024 7:45:09 PM com.example.shop.App main",
      "INFO: retrying",
      "java.lang.IllegalStateException: no carrier",
      "\tat com.example.shop.Carriers.forZone(Carriers.java:41)",
  });
  REQUIRE(out.size() == 1);
  CHECK(out[0].format == "text");
  CHECK(out[0].exception_type == "java.lang.IllegalStateException");

  // Midnight and noon, a logger name without a method, JDK 20's narrow no-break space.
  auto p = parseAs("jul", "Mar 01, 2024 12:05:00 AM shop\nSEVERE: at midnight");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == localTime(2024, 3, 1, 0, 5, 0));
  CHECK(p.record.module == "shop");
  p = parseAs("jul", "Mar 11, 2024 12:05:00\xe2\x80\xafPM shop.Api call\nFINE: at noon");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == localTime(2024, 3, 11, 12, 5, 0));
  CHECK(p.record.level == Level::kDebug);
  p = parseAs("jul",
              "Mar 11, 2024 7:45:10 PM shop.Api call\nSCHWERWIEGEND: Bestellung fehlgeschlagen");
  CHECK(p.record.level == Level::kError);
  CHECK(parseWith("jul", "Mar 11, 2024 7:45:09 PM shop.App main\nINFO: started", Level::kError) ==
        ParseStatus::kBelowLevel);

  Parser* jul = test::sharedBuiltinSet().find("jul");
  REQUIRE(jul);
  CHECK_FALSE(jul->startsEvent("Mar 11 19:45:10 web01 sshd[812]: Accepted publickey"));
  CHECK_FALSE(jul->startsEvent("Mar 11, 2024 13:45:10 PM shop.Api call"));
}

TEST_CASE("zerolog: ConsoleWriter, plain and coloured", "[zerolog]") {
  const std::vector<std::string_view> lines = {
      "7:45PM INF listening addr=:8080",
      "7:45PM ERR payment refused error=\"card declined\" order=7",
      "7:46PM WRN slow query ms=812",
      "7:46PM ERR main.go:42 > db down error=\"dial tcp 10.0.0.2:5432: connect: connection "
      "refused\"",
  };
  CHECK(detected(lines) == "zerolog");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 2);
  CHECK(out[0].format == "zerolog");
  CHECK(out[0].level == Level::kError);
  CHECK(out[0].message == "payment refused");
  CHECK(str(out[0].context, "error") == "card declined");
  CHECK(str(out[0].context, "order") == "7");
  CHECK(clockOf(out[0].time) == "19:45:00");
  CHECK(notInTheFuture(out[0].time));
  CHECK(out[1].module == "main.go:42");
  CHECK(out[1].message == "db down");
  CHECK(str(out[1].context, "error") == "dial tcp 10.0.0.2:5432: connect: connection refused");

  // Colours as ConsoleWriter writes them by default.
  const std::vector<std::string_view> coloured = {
      "\x1b[90m7:45PM\x1b[0m \x1b[32mINF\x1b[0m listening \x1b[36maddr=\x1b[0m:8080",
      "\x1b[90m7:45PM\x1b[0m \x1b[1m\x1b[31mERR\x1b[0m\x1b[0m \x1b[1mcart.go:12\x1b[0m\x1b[36m "
      ">\x1b[0m payment refused \x1b[36merror=\x1b[0m\x1b[31m\"card declined\"\x1b[0m",
  };
  CHECK(detected(coloured) == "zerolog");
  const auto c = readLines(coloured);
  REQUIRE(c.size() == 1);
  CHECK(c[0].message == "payment refused");
  CHECK(c[0].module == "cart.go:12");
  CHECK(str(c[0].context, "error") == "card declined");

  // A full time (TimeFormat: time.RFC3339), a message that is only the error, a panic.
  auto p = parseAs("zerolog", "2024-03-11T19:45:10+01:00 ERR error=\"disk full\"");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == utc("2024-03-11T18:45:10Z"));
  CHECK(p.record.message == "disk full");
  p = parseAs("zerolog", "12:03AM PNC unreachable state=closed");
  CHECK(p.record.level == Level::kCritical);
  CHECK(clockOf(p.record.time) == "00:03:00");
  CHECK(parseWith("zerolog", "7:45PM INF listening addr=:8080", Level::kError) ==
        ParseStatus::kBelowLevel);

  Parser* zerolog = test::sharedBuiltinSet().find("zerolog");
  REQUIRE(zerolog);
  CHECK_FALSE(zerolog->startsEvent("7:45PM ERROR payment refused"));
  CHECK_FALSE(zerolog->startsEvent("13:45PM ERR payment refused"));
  CHECK_FALSE(zerolog->startsEvent("[19:45:10 ERR] Serilog's"));
}

TEST_CASE("log4js: basic and coloured layouts, the category, the stack", "[log4js]") {
  const std::vector<std::string_view> lines = {
      "[2024-03-11T19:45:09.001] [INFO] default - listening on 3000",
      "[2024-03-11T19:45:10.123] [ERROR] checkout - payment refused",
      "Error: card declined",
      "    at pay (/srv/app/pay.js:8:11)",
      "    at main (/srv/app/index.js:3:1)",
      "[2024-03-11T19:45:11.000] [WARN] default - slow",
  };
  CHECK(detected(lines) == "log4js");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "log4js");
  CHECK(r.module == "checkout");
  CHECK(r.time == localTime(2024, 3, 11, 19, 45, 10, 123000000));
  CHECK(r.exception_type == "Error");
  CHECK(r.message == "card declined");
  CHECK(str(r.context, "log_message") == "payment refused");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "/srv/app/pay.js");
  CHECK(r.frames.back().column == 11);

  auto p =
      parseAs("log4js", "\x1b[31m[2024-03-11T19:45:10.123] [FATAL] db - \x1b[39mpool exhausted");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.module == "db");
  CHECK(p.record.message == "pool exhausted");
  p = parseAs("log4js", "[2024-03-11T19:45:10.123+01:00] [ERROR] db - x");
  CHECK(p.record.time == utc("2024-03-11T18:45:10.123Z"));
  CHECK(parseWith("log4js", "[2024-03-11T19:45:09.001] [INFO] default - up", Level::kError) ==
        ParseStatus::kBelowLevel);
  Parser* log4js = test::sharedBuiltinSet().find("log4js");
  REQUIRE(log4js);
  CHECK_FALSE(log4js->startsEvent("[ERROR][2023-05-20 14:30:22] shop - KeyError: x"));
  CHECK_FALSE(log4js->startsEvent("[2024-03-11 19:45:10,123] ERROR in app: Flask's"));
}

TEST_CASE("tracing: tracing-subscriber's full and compact formats", "[tracing]") {
  const std::vector<std::string_view> lines = {
      "2024-03-11T19:45:09.123456Z  INFO shop: listening on 0.0.0.0:8080",
      "2024-03-11T19:45:10.123456Z ERROR shop::db: query failed error=\"connection reset\" "
      "retries=3",
      "2024-03-11T19:45:10.223456Z  WARN request{method=GET uri=/cart}: shop::http: slow "
      "request ms=812",
      "2024-03-11T19:45:11.000001Z DEBUG shop::db: pool size=4",
  };
  // python reads the same shape but is not the format.
  CHECK(detected(lines) == "tracing");
  const auto out = readLines(lines, Level::kWarning);
  REQUIRE(out.size() == 2);
  CHECK(out[0].format == "tracing");
  CHECK(out[0].level == Level::kError);
  CHECK(out[0].time == utc("2024-03-11T19:45:10.123456Z"));
  CHECK(out[0].module == "shop::db");
  CHECK(out[0].message == "query failed");
  CHECK(str(out[0].context, "error") == "connection reset");
  CHECK(str(out[0].context, "retries") == "3");
  CHECK(out[1].level == Level::kWarning);
  CHECK(out[1].module == "shop::http");
  CHECK(out[1].message == "slow request");
  CHECK(str(out[1].context, "spans") == "request{method=GET uri=/cart}");

  // Coloured (tracing-subscriber writes ANSI by default), a local offset, compact spans.
  auto p = parseAs("tracing",
                   "\x1b[2m2024-03-11T19:45:10.123456Z\x1b[0m \x1b[31mERROR\x1b[0m "
                   "\x1b[2mshop::db\x1b[0m\x1b[2m:\x1b[0m query failed \x1b[3merror\x1b[0m\x1b["
                   "2m=\x1b[0m\"reset\"");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.module == "shop::db");
  CHECK(p.record.message == "query failed");
  CHECK(str(p.record.context, "error") == "reset");
  p = parseAs("tracing", "2024-03-11T19:45:10.123456+01:00 ERROR shop: boom");
  CHECK(p.record.time == utc("2024-03-11T18:45:10.123456Z"));
  p = parseAs("tracing",
              "2024-03-11T19:45:10.809367Z  WARN shaving_yaks:shave: fmt_compact::yak_shave: "
              "yak escaped yak=3");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.module == "fmt_compact::yak_shave");
  CHECK(p.record.message == "yak escaped");
  CHECK(str(p.record.context, "spans") == "shaving_yaks:shave");
  CHECK(parseWith("tracing", lines[0], Level::kError) == ParseStatus::kBelowLevel);

  Parser* tracing = test::sharedBuiltinSet().find("tracing");
  REQUIRE(tracing);
  CHECK_FALSE(tracing->startsEvent("2024-03-11 19:45:10,123 ERROR shop: python's, no zone"));
  CHECK_FALSE(tracing->startsEvent("[2024-03-11T19:45:10Z ERROR shop] env_logger's"));
  CHECK_FALSE(tracing->startsEvent("2024-03-11T19:45:10.123Z ERROR no target here"));
}

TEST_CASE("loguru: the default format and its decorated traceback", "[loguru]") {
  const std::vector<std::string_view> lines = {
      "2024-03-11 19:45:09.120 | INFO     | __main__:<module>:30 - starting",
      "2024-03-11 19:45:10.123 | ERROR    | shop.cart:total:12 - total failed",
      "Traceback (most recent call last):",
      "",
      "  File \"/app/main.py\", line 31, in <module>",
      "    total(cart)",
      "    \xe2\x94\x94 <function total at 0x7f3a2c1e0d30>",
      "",
      "> File \"/app/shop/cart.py\", line 12, in total",
      "    return sum(prices) / n",
      "           \xe2\x94\x82   \xe2\x94\x82        \xe2\x94\x94 0",
      "           \xe2\x94\x82   \xe2\x94\x94 [3, 4]",
      "           \xe2\x94\x94 <built-in function sum>",
      "",
      "ZeroDivisionError: division by zero",
      "2024-03-11 19:45:11.000 | SUCCESS  | shop.cart:total:14 - done",
  };
  CHECK(detected(lines) == "loguru");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "loguru");
  CHECK(r.level == Level::kError);
  CHECK(r.time == localTime(2024, 3, 11, 19, 45, 10, 123000000));
  CHECK(r.module == "shop.cart");
  CHECK(str(r.context, "function") == "total");
  CHECK(num(r.context, "line") == 12);
  CHECK(r.exception_type == "ZeroDivisionError");
  CHECK(r.message == "division by zero");
  CHECK(str(r.context, "log_message") == "total failed");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames[0].file == "/app/main.py");
  CHECK(r.frames[1].file == "/app/shop/cart.py");
  CHECK(r.frames[1].line == 12);
  CHECK(r.frames[1].function == "total");

  auto p = parseAs("loguru", "2024-03-11 19:45:11.000 | CRITICAL | shop:main:3 - disk full");
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.message == "disk full");
  // A level of the application's own (logger.level("AUDIT", no=25)).
  p = parseAs("loguru", "2024-03-11 19:45:11.000 | AUDIT    | shop:main:3 - login");
  CHECK(p.record.level == Level::kInfo);
  CHECK(parseWith("loguru", lines[0], Level::kError) == ParseStatus::kBelowLevel);
  Parser* loguru = test::sharedBuiltinSet().find("loguru");
  REQUIRE(loguru);
  CHECK_FALSE(loguru->startsEvent("2024-03-11 19:45:11,000 - shop - ERROR - python's"));
  CHECK_FALSE(loguru->startsEvent("2024-03-11 19:45:11.000 | ERROR | no location - x"));
}

TEST_CASE("erlang: OTP's reports", "[erlang]") {
  const std::vector<std::string_view> lines = {
      "=INFO REPORT==== 11-Mar-2024::19:45:09.120381 ===",
      "    application: shop",
      "    exited: stopped",
      "",
      "=ERROR REPORT==== 11-Mar-2024::19:45:10.123456 ===",
      "Error in process <0.85.0> on node shop@web01 with exit value:",
      "{badarith,[{shop_cart,total,1,[{file,\"src/shop_cart.erl\"},{line,12}]}]}",
      "",
      "=CRASH REPORT==== 11-Mar-2024::19:45:11 ===",
      "  crasher:",
      "    initial call: shop_cart:init/1",
      "    pid: <0.86.0>",
      "    exception error: bad argument",
      "",
      "=WARNING REPORT==== 11-Mar-2024::19:45:12.000000 ===",
      "disk almost full",
  };
  CHECK(detected(lines) == "erlang");
  const auto out = readLines(lines, Level::kWarning);
  REQUIRE(out.size() == 3);
  CHECK(out[0].format == "erlang");
  CHECK(out[0].level == Level::kError);
  CHECK(out[0].time == localTime(2024, 3, 11, 19, 45, 10, 123456000));
  CHECK(out[0].message ==
        "Error in process <0.85.0> on node shop@web01 with exit value:\n"
        "{badarith,[{shop_cart,total,1,[{file,\"src/shop_cart.erl\"},{line,12}]}]}");
  CHECK(str(out[0].context, "report") == "ERROR");
  CHECK(out[1].level == Level::kError);
  CHECK(out[1].time == localTime(2024, 3, 11, 19, 45, 11));
  CHECK(str(out[1].context, "report") == "CRASH");
  CHECK(out[1].message.find("exception error: bad argument") != std::string::npos);
  CHECK(out[2].level == Level::kWarning);
  CHECK(out[2].message == "disk almost full");
  Parser* erlang = test::sharedBuiltinSet().find("erlang");
  REQUIRE(erlang);
  CHECK_FALSE(erlang->startsEvent("=ERROR REPORT==== 11-Mar-2024 19:45:10 ==="));
  CHECK_FALSE(erlang->startsEvent("=BOGUS REPORT==== 11-Mar-2024::19:45:10 ==="));
}

TEST_CASE("pino_pretty: pino-pretty's and the bunyan CLI's output", "[pino_pretty]") {
  const std::vector<std::string_view> lines = {
      "[19:45:09.120] INFO (1234): listening on 3000",
      "[19:45:10.123] ERROR (1234): payment refused",
      "    err: {",
      "      \"type\": \"Error\",",
      "      \"message\": \"card declined\",",
      "      \"stack\":",
      "          Error: card declined",
      "              at pay (/srv/app/pay.js:8:11)",
      "              at main (/srv/app/index.js:3:1)",
      "    }",
      "[19:45:11.000] WARN (1234): slow",
  };
  CHECK(detected(lines) == "pino_pretty");
  auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "pino_pretty");
  CHECK(clockOf(r.time) == "19:45:10");
  CHECK(notInTheFuture(r.time));
  CHECK(num(r.context, "pid") == 1234);
  CHECK(r.exception_type == "Error");
  CHECK(r.message == "card declined");
  CHECK(str(r.context, "log_message") == "payment refused");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "/srv/app/pay.js");

  // Before pino-pretty 9: epoch milliseconds and the host; coloured; with the logger's name.
  auto p = parseAs("pino_pretty", "[1710186310123] ERROR (1234 on web01): payment refused");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == utc("2024-03-11T19:45:10.123Z"));
  CHECK(str(p.record.context, "hostname") == "web01");
  p = parseAs("pino_pretty",
              "[2024-03-11 19:45:10.123 +0000] \x1b[31mERROR\x1b[39m (shop/1234 on web01): "
              "\x1b[36mpayment refused\x1b[39m");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == utc("2024-03-11T19:45:10.123Z"));
  CHECK(p.record.module == "shop");
  CHECK(p.record.message == "payment refused");

  // The bunyan CLI.
  out = readLines({
      "[2024-03-11T19:45:09.120Z]  INFO: shop/1234 on web01: listening on 3000",
      "[2024-03-11T19:45:10.123Z] ERROR: shop/1234 on web01: payment refused (order=7)",
      "    TypeError: Cannot read properties of undefined (reading 'sku')",
      "        at lineTotal (/srv/app/cart.js:8:22)",
      "        at total (/srv/app/cart.js:14:30)",
      "[2024-03-11T19:45:11.000Z] FATAL: shop/1234 on web01 (/srv/app/db.js:3 in connect): db "
      "down",
  });
  REQUIRE(out.size() == 2);
  CHECK(out[0].format == "pino_pretty");
  CHECK(out[0].time == utc("2024-03-11T19:45:10.123Z"));
  CHECK(out[0].module == "shop");
  CHECK(out[0].exception_type == "TypeError");
  CHECK(str(out[0].context, "log_message") == "payment refused (order=7)");
  CHECK(out[1].level == Level::kCritical);
  CHECK(out[1].message == "db down");
  CHECK(parseWith("pino_pretty", "[19:45:09.120] INFO (1234): up", Level::kError) ==
        ParseStatus::kBelowLevel);
  Parser* pino = test::sharedBuiltinSet().find("pino_pretty");
  REQUIRE(pino);
  CHECK_FALSE(pino->startsEvent("[19:45:10 ERR] Serilog's"));
  CHECK_FALSE(pino->startsEvent("[2024-03-11 19:45:10,123] ERROR in app: Flask's"));
}

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
