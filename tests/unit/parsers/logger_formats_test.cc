// The default text layouts of popular loggers that have a format of their own: Go's standard
// log package (golog); and how detection tells them from the formats around them.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "common/timeutil.h"
#include "parsers/parser_set.h"
#include "parsers/source_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {
namespace {

using test::parseAs;
using test::str;

std::string detected(const std::vector<std::string_view>& lines) {
  return std::string(detectFormat(test::sharedBuiltinSet(), lines).parser->name());
}

// The records a SourceParser makes of `lines` (format detected), as the daemon reads a file.
std::vector<ErrorRecord> readLines(const std::vector<std::string_view>& lines,
                                   Level min_level = Level::kError) {
  std::vector<ErrorRecord> out;
  SourceInfo info;
  info.min_level = min_level;
  SourceParser sp(test::sharedBuiltinSet(), info, [&](ErrorRecord& r) { out.push_back(r); });
  uint64_t off = 0;
  for (const auto l : lines) {
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  return out;
}

UnixNanos localTime(int y, int mo, int d, int h, int mi, int s, int64_t ns = 0) {
  CivilTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = s;
  t.nanos = ns;
  return toUnixNanos(t);
}

}  // namespace

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
  CHECK(p.record.message == "ERROR stock unknown");
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
  for (const Frame& f : r.frames) handler = handler || f.function == "main.cartHandler";
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

}  // namespace homeo
