// The line formats of the format library: logfmt, java, klog, logcat, apache_error,
// nginx_error, access_log and generic; and how detection tells them apart.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "parsers/parser_set.h"
#include "parsers/trace.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {
namespace {

using test::builtinSet;
using test::num;
using test::parseAs;
using test::str;

std::string_view detected(const std::vector<std::string_view>& lines) {
  return detectFormat(test::sharedBuiltinSet(), lines).parser->name();
}

}  // namespace

TEST_CASE("logfmt: level, message, time, caller; other keys to context", "[logfmt]") {
  auto p = parseAs("logfmt",
                   "time=\"2024-01-01T10:00:00Z\" level=error msg=\"db \\\"main\\\" down\" "
                   "caller=db.go:42 user=7 err=\"dial tcp: timeout\"");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "db \"main\" down");
  CHECK(p.record.module == "db.go:42");
  CHECK(formatRfc3339(p.record.time) == "2024-01-01T10:00:00Z");
  CHECK(str(p.record.context, "user") == "7");
  CHECK(str(p.record.context, "err") == "dial tcp: timeout");
  CHECK(findField(p.record.context, "level") == nullptr);
}

TEST_CASE("logfmt: below level early, levels normalised", "[logfmt]") {
  CHECK(parseAs("logfmt", "ts=1 level=info msg=ok", Level::kError).status ==
        ParseStatus::kBelowLevel);
  CHECK(parseAs("logfmt", "lvl=crit msg=x ts=2", Level::kError).record.level == Level::kCritical);
  CHECK(parseAs("logfmt", "lvl=warn msg=x ts=2").record.level == Level::kWarning);
  // No level key, but an error: an error record.
  CHECK(parseAs("logfmt", "msg=\"write failed\" err=EIO path=/x").record.level == Level::kError);
}

TEST_CASE("java: Spring Boot, logback, log4j, ZooKeeper layouts", "[java]") {
  auto sb = parseAs("java",
                    "2024-01-01 10:00:00.123 ERROR 1234 --- [main] c.e.OrderService : "
                    "order failed");
  REQUIRE(sb.status == ParseStatus::kRecord);
  CHECK(sb.record.level == Level::kError);
  CHECK(sb.record.module == "c.e.OrderService");
  CHECK(sb.record.message == "order failed");
  CHECK(str(sb.record.context, "thread") == "main");

  auto lb = parseAs("java", "2024-01-01 10:00:00,123 WARN [pool-1] com.example.Foo - slow");
  CHECK(lb.record.level == Level::kWarning);
  CHECK(lb.record.module == "com.example.Foo");
  CHECK(lb.record.message == "slow");

  auto lb2 = parseAs("java", "2024-01-01 10:00:00,123 [worker-2] FATAL com.example.Bar - down");
  CHECK(lb2.record.level == Level::kCritical);
  CHECK(lb2.record.module == "com.example.Bar");

  auto zk =
      parseAs("java", "2024-03-01 11:22:33,444 - ERROR [Sync[id=3]:Learner@92] - lost leader");
  CHECK(zk.record.level == Level::kError);
  CHECK(zk.record.message == "lost leader");
  CHECK(str(zk.record.context, "thread") == "Sync[id=3]:Learner@92");

  CHECK(parseAs("java", "[ERROR] Failed to execute goal").record.level == Level::kError);
}

TEST_CASE("java: a stack trace after the header becomes the record's exception", "[java]") {
  auto p = parseAs("java",
                   "2024-01-01 10:00:00,123 ERROR [main] com.example.Api - request failed\n"
                   "java.lang.IllegalStateException: no cart\n"
                   "\tat com.example.Cart.get(Cart.java:17)\n"
                   "\tat com.example.Api.handle(Api.java:40)");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.exception_type == "java.lang.IllegalStateException");
  CHECK(p.record.frames.size() == 2);
  CHECK(str(p.record.context, "log_message") == "request failed");
}

TEST_CASE("klog: letter level, caller, thread id", "[klog]") {
  auto p = parseAs("klog", "E0102 15:04:05.123456   4321 reflector.go:138] watch failed");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.module == "reflector.go:138");
  CHECK(p.record.message == "watch failed");
  CHECK(num(p.record.context, "thread_id") == 4321);
  CHECK(parseAs("klog", "I0102 15:04:05.1 1 a.go:1] ok", Level::kError).status ==
        ParseStatus::kBelowLevel);
  CHECK(parseAs("klog", "F0102 15:04:05.123456 7 main.go:9] boom").record.level ==
        Level::kCritical);
}

TEST_CASE("logcat: threadtime and brief, single-letter levels", "[logcat]") {
  auto p = parseAs("logcat", "01-02 15:04:05.123  1234  5678 E ActivityManager: ANR in x.y");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.module == "ActivityManager");
  CHECK(p.record.message == "ANR in x.y");
  CHECK(num(p.record.context, "pid") == 1234);
  auto b = parseAs("logcat", "F/libc    ( 4242): Fatal signal 11 (SIGSEGV)");
  CHECK(b.record.level == Level::kCritical);
  CHECK(b.record.module == "libc");
  CHECK(parseAs("logcat", "A/DEBUG( 99): abort").record.level == Level::kCritical);
  CHECK(parseAs("logcat", "01-02 15:04:05.123  1  2 W Tag: w").record.level == Level::kWarning);
  CHECK(parseAs("logcat", "01-02 15:04:05.123  1  2 V Tag: v", Level::kInfo).status ==
        ParseStatus::kBelowLevel);
}

TEST_CASE("apache_error: 2.4 with module, pid, client; 2.2", "[apache]") {
  auto p = parseAs("apache_error",
                   "[Tue Jan 02 15:04:05.123456 2024] [proxy:error] [pid 1234:tid 99] "
                   "[client 10.0.0.7:5678] AH00898: Error reading from remote server");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.module == "proxy");
  CHECK(str(p.record.request_info, "client_ip") == "10.0.0.7");
  CHECK(p.record.message == "AH00898: Error reading from remote server");
  CHECK(formatRfc3339(p.record.time).substr(0, 10) == "2024-01-02");
  auto old = parseAs("apache_error", "[Sun Dec 04 04:47:44 2005] [crit] child died");
  CHECK(old.record.level == Level::kCritical);
  CHECK(parseAs("apache_error", "[Sun Dec 04 04:47:44 2005] [notice] ok", Level::kWarning).status ==
        ParseStatus::kBelowLevel);
}

TEST_CASE("nginx_error: request details into request_info", "[nginx]") {
  auto p = parseAs("nginx_error",
                   "2024/01/02 15:04:05 [error] 1234#0: *5 connect() failed (111: Connection "
                   "refused) while connecting to upstream, client: 10.1.2.3, server: shop, "
                   "request: \"GET /cart?id=1 HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", "
                   "host: \"shop.example\"");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message ==
        "connect() failed (111: Connection refused) while connecting to upstream");
  CHECK(str(p.record.request_info, "method") == "GET");
  CHECK(str(p.record.request_info, "path") == "/cart?id=1");
  CHECK(str(p.record.request_info, "client_ip") == "10.1.2.3");
  CHECK(str(p.record.request_info, "host") == "shop.example");
  CHECK(str(p.record.context, "upstream") == "http://127.0.0.1:8000/");
  CHECK(num(p.record.context, "connection") == 5);
  CHECK(parseAs("nginx_error", "2024/01/02 15:04:05 [emerg] 1#0: bind() failed").record.level ==
        Level::kCritical);
}

TEST_CASE("access_log: 5xx is an error with request and response info", "[access]") {
  auto p = parseAs("access_log",
                   "10.0.0.9 - alice [02/Jan/2024:15:04:05 +0100] \"POST /api/pay HTTP/1.1\" "
                   "502 157 \"https://shop/\" \"curl/8.0\"");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "POST /api/pay -> 502");
  CHECK(str(p.record.request_info, "method") == "POST");
  CHECK(str(p.record.request_info, "path") == "/api/pay");
  CHECK(str(p.record.request_info, "client_ip") == "10.0.0.9");
  CHECK(str(p.record.request_info, "user_agent") == "curl/8.0");
  CHECK(num(p.record.response_info, "status_code") == 502);
  CHECK(num(p.record.response_info, "size_bytes") == 157);
  CHECK(formatRfc3339(p.record.time) == "2024-01-02T14:04:05Z");
  // 4xx is a warning, 2xx info: below ERROR without filling anything.
  CHECK(parseAs("access_log", "1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] \"GET / HTTP/1.0\" 404 0")
            .record.level == Level::kWarning);
  CHECK(parseAs("access_log", "1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] \"GET / HTTP/1.0\" 200 9",
                Level::kError)
            .status == ParseStatus::kBelowLevel);
}

TEST_CASE("access_log: Django, uvicorn and morgan dialects", "[access]") {
  auto dj = parseAs("access_log", "[02/Jan/2024 15:04:05] \"GET /orders/7 HTTP/1.1\" 500 1234");
  CHECK(dj.record.level == Level::kError);
  CHECK(str(dj.record.request_info, "path") == "/orders/7");
  auto uv =
      parseAs("access_log",
              "INFO:     172.17.0.1:51234 - \"GET /items HTTP/1.1\" 500 Internal Server Error");
  CHECK(uv.record.level == Level::kError);
  CHECK(str(uv.record.request_info, "client_ip") == "172.17.0.1");
  CHECK(str(uv.record.response_info, "reason") == "Internal Server Error");
  auto mg = parseAs("access_log", "GET /api/users 503 12.345 ms - 27");
  CHECK(mg.record.level == Level::kError);
  CHECK(mg.record.message == "GET /api/users -> 503");
}

TEST_CASE("generic: timestamp + level word in many layouts", "[generic]") {
  auto a = parseAs("generic", "2024-01-01 10:00:00 [ERROR] payment failed");
  CHECK(a.record.level == Level::kError);
  CHECK(a.record.message == "payment failed");
  auto b = parseAs("generic", "2024-01-01T10:00:00Z ERROR billing: card declined");
  CHECK(b.record.module == "billing");
  CHECK(b.record.message == "card declined");
  auto g = parseAs("generic", "[2024-01-02 15:04:05 +0000] [1234] [CRITICAL] WORKER TIMEOUT");
  CHECK(g.record.level == Level::kCritical);
  auto hd = parseAs("generic", "091109 203615 148 WARN dfs.DataNode: slow block");
  CHECK(hd.record.level == Level::kWarning);
  CHECK(hd.record.module == "dfs.DataNode");
  CHECK(formatRfc3339(hd.record.time).substr(0, 10) == "2009-11-09");
  auto sp = parseAs("generic", "18/06/09 20:10:40 ERROR executor.Executor: task lost");
  CHECK(sp.record.level == Level::kError);
  auto zap = parseAs("generic",
                     "2024-01-01T10:00:00.000Z\tERROR\tpkg/file.go:12\tquery failed\t{\"k\":1}");
  CHECK(zap.record.level == Level::kError);
  CHECK(zap.record.module == "pkg/file.go:12");
  CHECK(zap.record.message == "query failed\t{\"k\":1}");
}

TEST_CASE("generic: Ruby Logger and Rails request completion", "[generic]") {
  auto r = parseAs("generic", "E, [2024-01-02T15:04:05.123456 #1234] ERROR -- : boom");
  CHECK(r.record.level == Level::kError);
  CHECK(r.record.message == "boom");
  auto c = parseAs("generic",
                   "I, [2024-01-02T15:04:05.123456 #1234]  INFO -- : Completed 500 Internal "
                   "Server Error in 12ms");
  CHECK(c.record.level == Level::kError);
  CHECK(num(c.record.response_info, "status_code") == 500);
}

TEST_CASE("generic: Blue Gene/L RAS lines", "[generic]") {
  auto p = parseAs("generic",
                   "KERNDTLB 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 "
                   "2005-06-11-17.32.07.581048 R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB "
                   "error interrupt");
  CHECK(p.record.level == Level::kCritical);
  CHECK(p.record.module == "KERNEL");
  CHECK(p.record.message == "data TLB error interrupt");
}

TEST_CASE("detection picks the format each sample is written in", "[detect]") {
  CHECK(detected({"ts=1 level=info msg=a", "ts=2 level=error msg=b err=x"}) == "logfmt");
  CHECK(detected({"2024-01-01 10:00:00.123  INFO 1 --- [main] a.B : up",
                  "2024-01-01 10:00:01.123 ERROR 1 --- [main] a.B : down",
                  "java.lang.RuntimeException: down", "\tat a.B.c(B.java:1)"}) == "java");
  CHECK(detected({"I0102 15:04:05.1 1 a.go:1] a", "E0102 15:04:05.2 1 a.go:2] b"}) == "klog");
  CHECK(detected({"01-02 15:04:05.123  1  2 I Tag: a", "01-02 15:04:05.124  1  2 E Tag: b"}) ==
        "logcat");
  CHECK(detected({"[Sun Dec 04 04:47:44 2005] [notice] a",
                  "[Sun Dec 04 04:47:45 2005] [error] b"}) == "apache_error");
  CHECK(detected({"2024/01/02 15:04:05 [error] 1#0: a", "2024/01/02 15:04:06 [warn] 1#0: b"}) ==
        "nginx_error");
  CHECK(detected({"1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"",
                  "1.2.3.4 - - [02/Jan/2024:15:04:06 +0000] \"GET /a HTTP/1.1\" 500 1 \"-\" "
                  "\"x\""}) == "access_log");
  CHECK(detected({"2024-01-01 10:00:00 [INFO] a", "2024-01-01 10:00:01 [ERROR] b"}) != "text");
  // Python logging stays python; prose stays text.
  CHECK(detected({"2024-01-01 10:00:00,000 - app - INFO - a",
                  "2024-01-01 10:00:01,000 - app - ERROR - b"}) == "python");
  CHECK(detected({"hello there", "nothing to see", "just words"}) == "text");
}

TEST_CASE("format parsers survive truncated and odd lines", "[fuzzish]") {
  auto set = builtinSet();
  const std::string_view samples[] = {"",
                                      "[",
                                      "E",
                                      "E0102 ",
                                      "01-02 15:04:05.123",
                                      "[Sun Dec 04 04:47:44 2005] [",
                                      "2024/01/02 15:04:05 [error] ",
                                      "1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] \"",
                                      "a=\"unterminated",
                                      "k=",
                                      "=v",
                                      "INFO:     x - \"GET",
                                      "E, [",
                                      "- 1 2005.06.03",
                                      "2024-01-01 10:00:00 ",
                                      "2024-01-01T10:00:00Z\tERROR"};
  for (const char* name : {"logfmt", "java", "klog", "logcat", "apache_error", "nginx_error",
                           "access_log", "generic"}) {
    Parser* p = set->find(name);
    REQUIRE(p != nullptr);
    for (std::string_view s : samples) {
      for (size_t n = 0; n <= s.size(); ++n) {
        const std::string_view line = s.substr(0, n);
        (void)p->probe(line);
        (void)p->startsEvent(line);
        std::vector<std::string_view> lines{line};
        ErrorRecord r;
        const ParseStatus st = p->parse(LogEvent{lines, 0}, Level::kDebug, r);
        CHECK((st == ParseStatus::kRecord || st == ParseStatus::kNotMatched ||
               st == ParseStatus::kBelowLevel));
      }
    }
  }
}

}  // namespace homeo

#include "parsers/source_parser.h"

namespace homeo {

TEST_CASE("source parser: a file whose writer changes format is detected again",
          "[detect][redetect]") {
  ParserRegistry reg;
  registerBuiltinParsers(reg);
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(reg, {}, diags);
  REQUIRE(set);
  std::vector<ErrorRecord> records;
  SourceInfo info;
  info.min_level = Level::kError;
  SourceParser sp(*set, info, [&](ErrorRecord& r) { records.push_back(r); });
  std::vector<std::string> lines;
  for (int i = 0; i < 60; ++i) lines.push_back("ts=" + std::to_string(i) + " level=info msg=ok");
  for (int i = 0; i < 600; ++i) {
    lines.push_back("01-02 15:04:05.123  1  2 " + std::string(i % 100 == 99 ? "E" : "I") +
                    " Tag: event " + std::to_string(i));
  }
  uint64_t off = 0;
  for (const auto& l : lines) {
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  REQUIRE(sp.format() != nullptr);
  CHECK(sp.format()->name() == "logcat");
  CHECK(sp.stats().redetections == 1);
  // The error lines after the switch are read as logcat, with their tag as module.
  size_t logcat_errors = 0;
  for (const auto& r : records) {
    if (r.format == "logcat" && r.module == "Tag") ++logcat_errors;
  }
  CHECK(logcat_errors >= 4);
  CHECK(sp.safeOffset() == off);
}

TEST_CASE("source parser: a named format is never detected again", "[redetect]") {
  ParserRegistry reg;
  registerBuiltinParsers(reg);
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(reg, {}, diags);
  REQUIRE(set);
  SourceInfo info;
  info.format = "logfmt";
  SourceParser sp(*set, info, [](ErrorRecord&) {});
  uint64_t off = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string l = "plain words " + std::to_string(i);
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  CHECK(sp.format()->name() == "logfmt");
  CHECK(sp.stats().redetections == 0);
}

}  // namespace homeo
