// The default text layouts of popular loggers that have a format of their own: Go's standard
// log package (golog), Node.js' winston, .NET's console logger and Serilog's console, Rust's
// env_logger, the unconfigured defaults of log4j2 and logback (java); and how detection tells them
// from the formats around them.
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
using test::parseAs;
using test::readLines;
using test::str;

TEST_CASE("golog: LstdFlags, microseconds, caller, prefix", "[golog]") {
  auto p = parseAs("golog", "2024/03/11 19:45:10 failed to open /etc/shop.yaml: permission denied");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.time == localTime(2024, 3, 11, 19, 45, 10));
  CHECK(p.record.message == "failed to open /etc/shop.yaml: permission denied");

  p = parseAs("golog", "2024/03/11 19:45:10.123456 cart.go:88: cart 7: error: stock unknown");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == localTime(2024, 3, 11, 19, 45, 10, 123456000));
  CHECK(p.record.module == "cart.go:88");
  CHECK(p.record.message == "cart 7: error: stock unknown");

  p = parseAs("golog", "shop: 2024/03/11 19:45:10 /src/shop/cart.go:88: ERROR stock unknown");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.module == "/src/shop/cart.go:88");
  CHECK(str(p.record.context, "prefix") == "shop:");
  // The level word is the slog default handler's, or one like it: not part of the message.
  CHECK(p.record.message == "stock unknown");
}

TEST_CASE("golog: the level from the message", "[golog]") {
  const auto level = [](std::string_view msg) {
    const std::string line = "2024/03/11 19:45:10 " + std::string(msg);
    auto p = parseAs("golog", line);
    REQUIRE(p.status == ParseStatus::kRecord);
    return p.record.level;
  };
  CHECK(level("listening on :8080") == Level::kInfo);
  CHECK(level("[WARN] cache is cold") == Level::kWarning);
  CHECK(level("warning: disk 91% full") == Level::kWarning);
  CHECK(level("FATAL: cannot bind :8080") == Level::kCritical);
  CHECK(level("fatal: cannot bind :8080") == Level::kCritical);
  CHECK(level("http: panic serving 10.0.0.1:5555: boom") == Level::kError);
  CHECK(level("dial tcp 10.0.0.2:5432: connect failed") == Level::kError);
  CHECK(level("worker 3 stopped: err=context canceled") == Level::kError);
  // Words that only contain one: not a level.
  CHECK(level("terrific throughput, no warnings") == Level::kInfo);

  // Below the level the INFO line is dropped early.
  ErrorRecord r;
  Parser* golog = test::sharedBuiltinSet().find("golog");
  REQUIRE(golog);
  CHECK(test::parseEvent(*golog, "2024/03/11 19:45:10 listening on :8080", r, Level::kError) ==
        ParseStatus::kBelowLevel);
}

TEST_CASE("golog: net/http's recovered panic with its goroutine dump", "[golog]") {
  const std::vector<std::string_view> lines = {
      "2024/03/11 19:45:09 listening on :8080",
      "2024/03/11 19:45:10 http: panic serving 10.0.0.1:5555: runtime error: invalid memory "
      "address or nil pointer dereference",
      "goroutine 6 [running]:",
      "net/http.(*conn).serve.func1()",
      "\t/usr/local/go/src/net/http/server.go:1868 +0xb9",
      "panic({0x6a4b20?, 0x8f3b50?})",
      "\t/usr/local/go/src/runtime/panic.go:920 +0x270",
      "main.cartHandler({0x7f1c28, 0xc0000b6000}, 0xc0000a4000)",
      "\t/src/shop/cart.go:23 +0x1d",
      "net/http.HandlerFunc.ServeHTTP(0x0?, {0x7f1c28?, 0xc0000b6000?}, 0x0?)",
      "\t/usr/local/go/src/net/http/server.go:2136 +0x29",
      "created by net/http.(*Server).Serve in goroutine 1",
      "\t/usr/local/go/src/net/http/server.go:3086 +0x4db",
      "2024/03/11 19:45:11 GET /health 200",
  };
  CHECK(detected(lines) == "golog");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "golog");
  CHECK(r.level == Level::kError);
  CHECK(r.time == localTime(2024, 3, 11, 19, 45, 10));
  CHECK(r.exception_type == "panic");
  CHECK(r.message == "runtime error: invalid memory address or nil pointer dereference");
  CHECK(r.language == "go");
  REQUIRE(r.traceback.size() == 12);
  CHECK(r.traceback.front() == lines[1]);
  bool handler = false;
  for (const Frame& f : r.frames) {
    handler = handler || (f.class_name == "main" && f.function == "cartHandler");
  }
  CHECK(handler);
  CHECK(str(r.context, "log_message").starts_with("http: panic serving 10.0.0.1:5555"));
}

TEST_CASE("golog: log.Panic's line, then the runtime's panic", "[golog]") {
  const auto out = readLines({
      "2024/03/11 19:45:09 loading catalog",
      "2024/03/11 19:45:10 catalog: no products",
      "panic: catalog: no products",
      "",
      "goroutine 1 [running]:",
      "log.Panicf({0x4d1a2b?, 0x0?}, {0x0?, 0x0?, 0x0?})",
      "\t/usr/local/go/src/log/log.go:439 +0x65",
      "main.main()",
      "\t/src/shop/main.go:31 +0x7e",
      "exit status 2",
  });
  REQUIRE(out.size() == 1);
  CHECK(out[0].format == "text");
  CHECK(out[0].level == Level::kCritical);
  CHECK(out[0].exception_type == "panic");
  CHECK(out[0].message == "catalog: no products");
}

TEST_CASE("golog: detection keeps nginx's error log, whose dates look alike", "[golog]") {
  CHECK(detected({"2024/03/11 19:45:10 [error] 812#0: *3 open() \"/srv/x\" failed (2: No such "
                  "file or directory), client: 10.0.0.1, server: shop",
                  "2024/03/11 19:45:11 [notice] 812#0: signal process started"}) == "nginx_error");
  CHECK(detected({"2024/03/11 19:45:10 - shop - ERROR - payment refused",
                  "2024/03/11 19:45:11 - shop - INFO - retrying"}) == "python");
  CHECK(detected({"2024/03/11 19:45:10 main.go:12: started",
                  "2024/03/11 19:45:11 main.go:40: failed to connect"}) == "golog");
}

TEST_CASE("winston: time, label, level and message as its README sets them up", "[winston]") {
  auto p = parseAs("winston", "2024-03-11T19:45:10.123Z error: payment refused for order 7");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.time == *parseTimestamp("2024-03-11T19:45:10.123Z"));
  CHECK(p.record.message == "payment refused for order 7");

  p = parseAs("winston", "2024-03-11 19:45:10 [checkout] warn: slow query (812 ms)");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kWarning);
  CHECK(p.record.module == "checkout");
  CHECK(p.record.time == localTime(2024, 3, 11, 19, 45, 10));

  // format.colorize() and format.cli() (padded levels).
  p = parseAs("winston", "2024-03-11T19:45:10.123Z \x1b[31merror\x1b[39m: stock sync failed");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "stock sync failed");
  p = parseAs("winston", "crit:    disk full");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.message == "disk full");

  // format.simple() after format.timestamp(): the time is in the JSON after the message.
  p = parseAs("winston",
              "error: payment refused {\"orderId\":7,\"timestamp\":\"2024-03-11T19:45:10.123Z\"}");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == *parseTimestamp("2024-03-11T19:45:10.123Z"));

  for (const auto& [word, level] :
       std::vector<std::pair<std::string, Level>>{{"silly", Level::kDebug},
                                                  {"verbose", Level::kDebug},
                                                  {"http", Level::kInfo},
                                                  {"notice", Level::kInfo},
                                                  {"warning", Level::kWarning},
                                                  {"emerg", Level::kCritical}}) {
    INFO(word);
    p = parseAs("winston", "2024-03-11T19:45:10.123Z " + word + ": x");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == level);
  }
  ErrorRecord r;
  Parser* winston = test::sharedBuiltinSet().find("winston");
  REQUIRE(winston);
  CHECK(test::parseEvent(*winston, "2024-03-11T19:45:10.123Z info: listening on 3000", r,
                         Level::kError) == ParseStatus::kBelowLevel);
  // Not winston's: an upper-case level, a level word without its colon, "panic:".
  CHECK_FALSE(winston->startsEvent("2024-03-11T19:45:10.123Z ERROR app: x"));
  CHECK_FALSE(winston->startsEvent("2024-03-11T19:45:10.123Z error x"));
  CHECK_FALSE(winston->startsEvent("panic: boom"));
}

TEST_CASE("winston: the uncaught-exception handler's line and the Node.js stack", "[winston]") {
  const std::vector<std::string_view> lines = {
      "2024-03-11T19:45:09.001Z info: checkout listening on 3000",
      "2024-03-11T19:45:10.123Z error: uncaughtException: Cannot read properties of undefined "
      "(reading 'sku')",
      "TypeError: Cannot read properties of undefined (reading 'sku')",
      "    at lineTotal (/srv/checkout/src/cart.js:8:22)",
      "    at Array.map (<anonymous>)",
      "    at total (/srv/checkout/src/cart.js:14:30)",
      "2024-03-11T19:45:11.000Z warn: restarting",
  };
  // syslog reads an ISO time too: winston's level word wins.
  CHECK(detected(lines) == "winston");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "winston");
  CHECK(r.time == *parseTimestamp("2024-03-11T19:45:10.123Z"));
  CHECK(r.exception_type == "TypeError");
  CHECK(r.language == "javascript");
  REQUIRE(r.frames.size() >= 2);
  CHECK(r.frames.back().file == "/srv/checkout/src/cart.js");
  CHECK(r.frames.back().line == 8);
  CHECK(str(r.context, "log_message") ==
        "uncaughtException: Cannot read properties of undefined (reading 'sku')");

  // Node.js' own report of an uncaught error after an INFO line: a crash of its own.
  const auto crash = readLines({
      "2024-03-11T19:45:09.001Z info: checkout listening on 3000",
      "2024-03-11T19:45:09.500Z info: syncing stock",
      "/srv/checkout/src/stock.js:31",
      "    throw new Error('stock feed unreachable');",
      "    ^",
      "",
      "Error: stock feed unreachable",
      "    at sync (/srv/checkout/src/stock.js:31:11)",
      "",
      "Node.js v20.11.1",
  });
  REQUIRE(crash.size() == 1);
  CHECK(crash[0].format == "text");
  CHECK(crash[0].level == Level::kCritical);
  CHECK(crash[0].exception_type == "Error");
  CHECK(crash[0].message == "stock feed unreachable");
}

TEST_CASE("dotnet_console: category, event id, indented message and exception",
          "[dotnet_console]") {
  const std::vector<std::string_view> lines = {
      "info: Microsoft.Hosting.Lifetime[14]",
      "      Now listening on: http://localhost:5000",
      "fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]",
      "      An unhandled exception has occurred while executing the request.",
      "      System.InvalidOperationException: No carrier for zone 9",
      "         at Shop.Shipping.Carriers.For(Int32 zone) in /src/Shop/Shipping/Carriers.cs:line "
      "41",
      "         at Shop.Api.OrdersController.Ship(Int32 id) in "
      "/src/Shop/Api/OrdersController.cs:line 20",
      "warn: Microsoft.AspNetCore.Server.Kestrel[22]",
      "      Heartbeat took longer than \"00:00:01\"",
  };
  CHECK(detected(lines) == "dotnet_console");
  auto out = readLines(lines, Level::kWarning);
  REQUIRE(out.size() == 2);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "dotnet_console");
  CHECK(r.level == Level::kError);
  CHECK(r.module == "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware");
  CHECK(test::num(r.context, "event_id") == 1);
  CHECK(r.exception_type == "System.InvalidOperationException");
  CHECK(r.message == "No carrier for zone 9");
  CHECK(str(r.context, "log_message") ==
        "An unhandled exception has occurred while executing the request.");
  CHECK(r.language == "csharp");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "/src/Shop/Shipping/Carriers.cs");
  CHECK(r.frames.back().line == 41);
  CHECK(out[1].level == Level::kWarning);
  CHECK(out[1].message == "Heartbeat took longer than \"00:00:01\"");

  // SingleLine, and a TimestampFormat before the level.
  auto p = parseAs("dotnet_console", "crit: Shop.Program[0] Host terminated unexpectedly");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.message == "Host terminated unexpectedly");
  p = parseAs("dotnet_console", "2024-03-11 19:45:10 fail: Shop.Api.Orders[7] Order 7 failed");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == localTime(2024, 3, 11, 19, 45, 10));
  CHECK(p.record.module == "Shop.Api.Orders");

  // The runtime's own report after the host stopped: a crash of its own.
  out = readLines({
      "info: Microsoft.Hosting.Lifetime[0]",
      "      Application is shutting down...",
      "Unhandled exception. System.IO.IOException: Failed to bind to address "
      "http://127.0.0.1:5000: address already in use.",
      "   at Microsoft.AspNetCore.Server.Kestrel.Core.Internal.AddressBinder.BindAsync()",
      "   at Shop.Program.Main(String[] args) in /src/Shop/Program.cs:line 12",
  });
  REQUIRE(out.size() == 1);
  CHECK(out[0].format == "text");
  CHECK(out[0].level == Level::kCritical);
  CHECK(out[0].exception_type == "System.IO.IOException");

  Parser* dotnet = test::sharedBuiltinSet().find("dotnet_console");
  REQUIRE(dotnet);
  CHECK_FALSE(dotnet->startsEvent("info: server listening on 3000"));
  CHECK_FALSE(dotnet->startsEvent("fail: Shop.Api[x]"));
  CHECK_FALSE(dotnet->continuesEvent(lines, "Unindented line"));
}

TEST_CASE("serilog: the console sink's default template with the exception below", "[serilog]") {
  const std::vector<std::string_view> lines = {
      "[19:45:09 INF] Starting web host",
      "[19:45:10 ERR] Order 7 could not be shipped",
      "System.InvalidOperationException: No carrier for zone 9",
      "   at Shop.Shipping.Carriers.For(Int32 zone) in /src/Shop/Shipping/Carriers.cs:line 41",
      "   at Shop.Api.OrdersController.Ship(Int32 id) in /src/Shop/Api/OrdersController.cs:line 20",
      "[19:45:11 FTL] Host terminated unexpectedly",
  };
  CHECK(detected(lines) == "serilog");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 2);
  const ErrorRecord& r = out[0];
  CHECK(r.format == "serilog");
  CHECK(r.level == Level::kError);
  CHECK(clockOf(r.time) == "19:45:10");
  CHECK(notInTheFuture(r.time));
  CHECK(r.exception_type == "System.InvalidOperationException");
  CHECK(r.frames.size() == 2);
  CHECK(str(r.context, "log_message") == "Order 7 could not be shipped");
  CHECK(out[1].level == Level::kCritical);
  CHECK(out[1].message == "Host terminated unexpectedly");

  Parser* serilog = test::sharedBuiltinSet().find("serilog");
  REQUIRE(serilog);
  CHECK_FALSE(serilog->startsEvent("[19:45:10 ERROR] x"));
  CHECK_FALSE(serilog->startsEvent("[25:45:10 ERR] x"));
}

TEST_CASE("env_logger: time, level, module path, message", "[env_logger]") {
  auto p = parseAs("env_logger", "[2024-03-11T19:45:10Z ERROR shop::db] query failed: reset");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.time == *parseTimestamp("2024-03-11T19:45:10Z"));
  CHECK(p.record.module == "shop::db");
  CHECK(p.record.message == "query failed: reset");
  p = parseAs("env_logger", "[2024-03-11T19:45:10.123Z WARN ] cache cold");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kWarning);
  CHECK(p.record.module.empty());
  CHECK(p.record.message == "cache cold");

  // A panic after the application's lines is a crash of its own.
  const std::vector<std::string_view> lines = {
      "[2024-03-11T19:45:09Z INFO  shop] listening on 0.0.0.0:8080",
      "[2024-03-11T19:45:10Z INFO  shop::orders] order 7 received",
      "thread 'main' panicked at src/orders.rs:31:14:",
      "called `Option::unwrap()` on a `None` value",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
  };
  CHECK(detected(lines) == "env_logger");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  CHECK(out[0].level == Level::kCritical);
  CHECK(out[0].exception_type == "panic");

  Parser* env = test::sharedBuiltinSet().find("env_logger");
  REQUIRE(env);
  CHECK_FALSE(env->startsEvent("[2024-03-11 19:45:10 ERROR shop] no zone"));
  CHECK_FALSE(env->startsEvent("[2024-03-11T19:45:10Z error shop] lower case"));
}

TEST_CASE("java: log4j2's and logback's unconfigured defaults, the time of day only", "[java]") {
  const std::vector<std::string_view> lines = {
      "19:45:09.120 [main] INFO  com.acme.shop.App - started in 1.2 s",
      "19:45:10.123 [http-nio-8080-exec-1] ERROR com.acme.shop.Orders -- order 7 failed",
      "java.lang.IllegalStateException: no carrier for zone 9",
      "\tat com.acme.shop.Carriers.forZone(Carriers.java:41)",
      "\tat com.acme.shop.Orders.ship(Orders.java:20)",
      "19:45:11.000 [main] WARN  com.acme.shop.App - slow start",
  };
  CHECK(detected(lines) == "java");
  const auto out = readLines(lines);
  REQUIRE(out.size() == 1);
  const ErrorRecord& r = out[0];
  CHECK(r.module == "com.acme.shop.Orders");
  CHECK(test::str(r.context, "thread") == "http-nio-8080-exec-1");
  CHECK(clockOf(r.time) == "19:45:10");
  CHECK(r.time % 1'000'000'000 == 123'000'000);
  CHECK(notInTheFuture(r.time));
  CHECK(r.exception_type == "java.lang.IllegalStateException");
  CHECK(str(r.context, "log_message") == "order 7 failed");
}

}  // namespace homeo
