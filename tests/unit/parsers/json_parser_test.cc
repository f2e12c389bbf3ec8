#include "parsers/json/json_parser.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/record.h"
#include "common/timeutil.h"

namespace homeo {
namespace {

struct Parsed {
  ParseStatus status;
  ErrorRecord record;
};

Parsed parseLine(JsonParser& parser, std::string_view line, Level min_level = Level::kError) {
  const std::string_view lines[] = {line};
  LogEvent event{lines, 0};
  Parsed p{ParseStatus::kNotMatched, {}};
  p.status = parser.parse(event, min_level, p.record);
  return p;
}

const JsonValue* field(const JsonObject& obj, std::string_view key) { return findField(obj, key); }

std::string stringField(const JsonObject& obj, std::string_view key) {
  const JsonValue* v = findField(obj, key);
  if (v == nullptr || !v->isString()) return "<missing>";
  return *v->asString();
}

int64_t intField(const JsonObject& obj, std::string_view key) {
  const JsonValue* v = findField(obj, key);
  if (v == nullptr) return -1;
  const auto* i = std::get_if<int64_t>(&v->storage());
  return i ? *i : -1;
}

UnixNanos utc(int y, int mo, int d, int h, int mi, int s, int64_t nanos = 0, int32_t offset = 0) {
  CivilTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = s;
  t.nanos = nanos;
  t.utc_offset = offset;
  return toUnixNanos(t);
}

}  // namespace

TEST_CASE("json: python-json-logger line with exc_info", "[json]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"({"asctime": "2024-03-02T10:11:12.345Z", "name": "billing.worker", "levelname": "ERROR", )"
      R"("message": "charge failed", "exc_info": "Traceback (most recent call last):\n  File )"
      R"(\"/srv/billing/worker.py\", line 88, in charge\n    amount = order[\"total\"]\nKeyError: )"
      R"('total'", "order_id": 4411})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "charge failed");
  CHECK(p.record.module == "billing.worker");
  CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12, 345'000'000));
  CHECK_FALSE(p.record.traceback.empty());
  CHECK(intField(p.record.context, "order_id") == 4411);
  // Consumed fields are not repeated in context.
  CHECK(field(p.record.context, "levelname") == nullptr);
  CHECK(field(p.record.context, "exc_info") == nullptr);
  CHECK(field(p.record.context, "asctime") == nullptr);
  CHECK(field(p.record.context, "name") == nullptr);
  CHECK(field(p.record.context, "message") == nullptr);
}

TEST_CASE("json: structlog event and level", "[json]") {
  JsonParser parser;
  const auto p =
      parseLine(parser, R"({"event": "payment declined", "level": "error", "logger": "payments",)"
                        R"( "timestamp": "2024-03-02T10:11:12.500Z", "customer": "c-19"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "payment declined");
  CHECK(p.record.module == "payments");
  CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12, 500'000'000));
  CHECK(stringField(p.record.context, "customer") == "c-19");
  CHECK(p.record.context.size() == 1);
}

TEST_CASE("json: bunyan numeric levels", "[json]") {
  JsonParser parser;
  const std::string base = R"({"name":"orders","hostname":"web-3","pid":812,"msg":"db timeout",)"
                           R"("time":"2024-03-02T10:11:12.000Z","v":0,"level":)";
  SECTION("50 is ERROR") {
    const auto p = parseLine(parser, base + "50}");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.module == "orders");
    CHECK(p.record.message == "db timeout");
    CHECK(stringField(p.record.context, "hostname") == "web-3");
    CHECK(intField(p.record.context, "pid") == 812);
    CHECK(intField(p.record.context, "v") == 0);
  }
  SECTION("60 is CRITICAL") {
    const auto p = parseLine(parser, base + "60}");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kCritical);
  }
  SECTION("30 and 40 are below ERROR") {
    CHECK(parseLine(parser, base + "30}").status == ParseStatus::kBelowLevel);
    CHECK(parseLine(parser, base + "40}").status == ParseStatus::kBelowLevel);
    const auto p = parseLine(parser, base + "40}", Level::kWarning);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kWarning);
  }
  SECTION("err object") {
    const auto p = parseLine(
        parser, R"({"name":"orders","level":50,"msg":"handler crashed","err":{"message":"boom",)"
                R"J("name":"TypeError","stack":"TypeError: boom\n    at handle )J"
                R"J((/srv/orders/app.js:12:5)",)J"
                R"("code":"E_BOOM"}})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.message == "handler crashed");
    CHECK(p.record.exception_type == "TypeError");
    CHECK_FALSE(p.record.traceback.empty());
    // Only the unused part of err stays: its message (msg was the message) and code.
    const JsonValue* err = field(p.record.context, "err");
    REQUIRE(err != nullptr);
    REQUIRE(err->isObject());
    CHECK(err->asObject()->size() == 2);
    CHECK(stringField(*err->asObject(), "message") == "boom");
    CHECK(stringField(*err->asObject(), "code") == "E_BOOM");
  }
}

TEST_CASE("json: pino request and response fields", "[json]") {
  JsonParser parser;
  const auto p = parseLine(
      parser, R"({"level":50,"time":1709374272000,"pid":77,"hostname":"h1","req":{"id":3,)"
              R"("method":"POST","url":"/checkout","remoteAddress":"10.1.2.3","remotePort":5123},)"
              R"("res":{"statusCode":502},"responseTime":41,"msg":"request errored"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "request errored");
  CHECK(p.record.time == 1709374272000LL * 1'000'000);
  CHECK(stringField(p.record.request_info, "method") == "POST");
  CHECK(stringField(p.record.request_info, "path") == "/checkout");
  CHECK(stringField(p.record.request_info, "client_ip") == "10.1.2.3");
  CHECK(stringField(p.record.request_info, "request_id") == "3");
  CHECK(intField(p.record.request_info, "duration_ms") == 41);
  CHECK(intField(p.record.response_info, "status_code") == 502);
  const JsonValue* req = field(p.record.context, "req");
  REQUIRE(req != nullptr);
  REQUIRE(req->isObject());
  CHECK(intField(*req->asObject(), "remotePort") == 5123);
  CHECK(req->asObject()->size() == 1);
  CHECK(field(p.record.context, "res") == nullptr);  // everything in it was used
  CHECK(field(p.record.context, "responseTime") == nullptr);
}

TEST_CASE("json: logrus with err string", "[json]") {
  JsonParser parser;
  const auto p =
      parseLine(parser, R"({"component":"loader","err":"open /etc/app.yml: permission denied",)"
                        R"("level":"error","msg":"cannot open config",)"
                        R"("time":"2024-03-02T10:11:12+01:00"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "cannot open config");
  CHECK(p.record.module == "loader");
  CHECK(p.record.time == utc(2024, 3, 2, 9, 11, 12));
  CHECK_FALSE(p.record.traceback.empty());
  CHECK(field(p.record.context, "err") == nullptr);
}

TEST_CASE("json: zap with stacktrace and caller", "[json]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"({"level":"error","ts":1709374272.5,"caller":"server/handler.go:88",)"
      R"("msg":"upstream failed","error":"dial tcp 10.0.0.9:5432: connection refused",)"
      R"("stacktrace":"main.handler\n\t/src/server/handler.go:88\nmain.main\n\t/src/main.go:20"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "upstream failed");
  CHECK(p.record.time == 1709374272500LL * 1'000'000);
  CHECK_FALSE(p.record.traceback.empty());
  CHECK(stringField(p.record.context, "caller") == "server/handler.go:88");
  // The stack trace won; the error string is kept.
  CHECK(stringField(p.record.context, "error") == "dial tcp 10.0.0.9:5432: connection refused");
  CHECK(field(p.record.context, "stacktrace") == nullptr);
}

TEST_CASE("json: logback JSON with stack_trace", "[json]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"({"@timestamp":"2024-03-02T10:11:12.345+01:00","@version":"1","message":"Request )"
      R"(processing failed","logger_name":"com.shop.web.OrderController","thread_name":)"
      R"("http-nio-8080-exec-4","level":"ERROR","level_value":40000,"stack_trace":)"
      R"("java.lang.IllegalStateException: cart is empty\n\tat com.shop.web.OrderController.)"
      R"(place(OrderController.java:57)\n\tat java.base/java.lang.Thread.run()"
      R"(Thread.java:833)\n"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "Request processing failed");
  CHECK(p.record.module == "com.shop.web.OrderController");
  CHECK(p.record.time == utc(2024, 3, 2, 9, 11, 12, 345'000'000));
  CHECK_FALSE(p.record.traceback.empty());
  CHECK(stringField(p.record.context, "thread_name") == "http-nio-8080-exec-4");
  CHECK(intField(p.record.context, "level_value") == 40000);
  CHECK(stringField(p.record.context, "@version") == "1");
}

TEST_CASE("json: ECS fields, flat and nested", "[json]") {
  JsonParser parser;
  SECTION("error.* object, http, url") {
    const auto p = parseLine(
        parser,
        R"({"@timestamp":"2024-03-02T10:11:12.345Z","log.level":"error","message":"lookup )"
        R"(failed","ecs.version":"1.6.0","log":{"logger":"app.lookup","origin":{"function":)"
        R"("run"}},"error":{"type":"KeyError","message":"'sku'","stack_trace":"Traceback )"
        R"((most recent call last):\n  File \"/app/lookup.py\", line 9, in run\nKeyError: 'sku'"},)"
        R"("http":{"request":{"method":"GET"},"response":{"status_code":500}},)"
        R"("url":{"path":"/items/9"}})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.message == "lookup failed");
    CHECK(p.record.exception_type == "KeyError");
    CHECK(p.record.module == "app.lookup");
    CHECK_FALSE(p.record.traceback.empty());
    CHECK(stringField(p.record.request_info, "method") == "GET");
    CHECK(stringField(p.record.request_info, "path") == "/items/9");
    CHECK(intField(p.record.response_info, "status_code") == 500);
    CHECK(stringField(p.record.context, "ecs.version") == "1.6.0");
    const JsonValue* log = field(p.record.context, "log");
    REQUIRE(log != nullptr);
    REQUIRE(log->isObject());
    CHECK(log->asObject()->size() == 1);  // origin only
    CHECK(field(*log->asObject(), "origin") != nullptr);
    CHECK(field(p.record.context, "http") == nullptr);
    CHECK(field(p.record.context, "url") == nullptr);
    CHECK(field(p.record.context, "log.level") == nullptr);
  }
  SECTION("nested log.level") {
    const std::string line =
        R"({"@timestamp":"2024-03-02T10:11:12Z","log":{"level":"warn","logger":"x"},)"
        R"("message":"m"})";
    CHECK(parseLine(parser, line).status == ParseStatus::kBelowLevel);
    const auto p = parseLine(parser, line, Level::kWarning);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kWarning);
    CHECK(p.record.module == "x");
    CHECK(field(p.record.context, "log") == nullptr);
  }
  SECTION("error.message stands in for a missing message") {
    const auto p = parseLine(
        parser, R"({"log.level":"error","error.type":"ValueError","error.message":"bad value"})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.message == "bad value");
    CHECK(p.record.exception_type == "ValueError");
    CHECK(p.record.context.empty());
  }
}

TEST_CASE("json: Serilog compact JSON", "[json]") {
  JsonParser parser;
  const std::string x =
      R"("@x":"System.InvalidOperationException: Sequence contains no elements\n   at )"
      R"(Shop.Orders.Process(Int32 id) in /src/Orders.cs:line 31")";
  SECTION("@l, @m, @x") {
    const auto p = parseLine(parser, R"({"@t":"2024-03-02T10:11:12.3456789Z","@mt":"Failed )"
                                     R"(to process {OrderId}","@m":"Failed to process 42",)"
                                     R"("@l":"Error",)" +
                                         x + R"(,"OrderId":42,"SourceContext":"Shop.Orders"})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.message == "Failed to process 42");
    CHECK(p.record.module == "Shop.Orders");
    CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12, 345'678'900));
    CHECK_FALSE(p.record.traceback.empty());
    CHECK(stringField(p.record.context, "@mt") == "Failed to process {OrderId}");
    CHECK(intField(p.record.context, "OrderId") == 42);
  }
  SECTION("@mt when there is no @m") {
    const auto p = parseLine(parser, R"({"@t":"2024-03-02T10:11:12Z","@l":"Fatal","@mt":"Down"})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kCritical);
    CHECK(p.record.message == "Down");
  }
  SECTION("no @l is Information, unless there is an exception") {
    CHECK(parseLine(parser, R"({"@t":"2024-03-02T10:11:12Z","@mt":"Started"})").status ==
          ParseStatus::kBelowLevel);
    const auto p = parseLine(parser, R"({"@t":"2024-03-02T10:11:12Z","@mt":"Crashed",)" + x + "}");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
  }
}

TEST_CASE("json: Google Cloud severity", "[json]") {
  JsonParser parser;
  auto levelOf = [&](std::string_view severity) {
    const auto p = parseLine(
        parser, R"({"severity":")" + std::string(severity) + R"(","message":"disk usage"})",
        Level::kDebug);
    REQUIRE(p.status == ParseStatus::kRecord);
    return p.record.level;
  };
  CHECK(levelOf("DEFAULT") == Level::kInfo);
  CHECK(levelOf("DEBUG") == Level::kDebug);
  CHECK(levelOf("INFO") == Level::kInfo);
  CHECK(levelOf("NOTICE") == Level::kInfo);
  CHECK(levelOf("WARNING") == Level::kWarning);
  CHECK(levelOf("ERROR") == Level::kError);
  CHECK(levelOf("CRITICAL") == Level::kCritical);
  CHECK(levelOf("ALERT") == Level::kCritical);
  CHECK(levelOf("EMERGENCY") == Level::kCritical);
}

TEST_CASE("json: other level spellings", "[json]") {
  JsonParser parser;
  CHECK(parseLine(parser, R"({"levelno":40,"msg":"x"})").record.level == Level::kError);
  CHECK(parseLine(parser, R"({"levelno":20,"msg":"x"})").status == ParseStatus::kBelowLevel);
  CHECK(parseLine(parser, R"({"lvl":"DEBUG5","msg":"x"})", Level::kDebug).record.level ==
        Level::kDebug);
  CHECK(parseLine(parser, R"({"loglevel":"crit","msg":"x"})").record.level == Level::kCritical);
  CHECK(parseLine(parser, R"({"level":3,"short_message":"x"})").record.level == Level::kError);
  // An unknown level word falls back to the default (INFO), and is kept.
  const auto p = parseLine(parser, R"({"level":"loud","msg":"x"})", Level::kDebug);
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kInfo);
  CHECK(stringField(p.record.context, "level") == "loud");
}

TEST_CASE("json: docker json-file lines", "[json]") {
  JsonParser parser;
  const auto p = parseLine(parser,
                           R"({"log":"panic: runtime error: index out of range\n",)"
                           R"("stream":"stderr","time":"2024-03-02T10:11:12.123456789Z"})",
                           Level::kDebug);
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.message == "panic: runtime error: index out of range");
  CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12, 123'456'789));
  CHECK(stringField(p.record.context, "stream") == "stderr");
  CHECK(field(p.record.context, "log") == nullptr);
}

TEST_CASE("json: journalctl -o json", "[json]") {
  JsonParser parser;
  const std::string line =
      R"({"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1709374272123456","PRIORITY":"3",)"
      R"("_HOSTNAME":"node-4","SYSLOG_IDENTIFIER":"kubelet","_PID":"991",)"
      R"("MESSAGE":"failed to sync pod"})";
  const auto p = parseLine(parser, line);
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "failed to sync pod");
  CHECK(p.record.module == "kubelet");
  CHECK(p.record.time == 1709374272123456LL * 1000);
  CHECK(stringField(p.record.context, "_HOSTNAME") == "node-4");
  CHECK(parseLine(parser, R"({"PRIORITY":"6","MESSAGE":"ok"})").status == ParseStatus::kBelowLevel);
}

TEST_CASE("json: extra fields keep their JSON values", "[json]") {
  JsonParser parser;
  const auto p = parseLine(
      parser, R"({"level":"error","msg":"m","tags":["a","b"],"meta":{"k":{"n":1.5}},)"
              R"("flag":true,"none":null,"big":18446744073709551615,"neg":-7,"status":"ok"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  const JsonObject& c = p.record.context;
  REQUIRE(c.size() == 7);
  CHECK(c[0].first == "tags");
  REQUIRE(c[0].second.isArray());
  CHECK(c[0].second.asArray()->size() == 2);
  CHECK(c[1].first == "meta");
  std::string meta;
  appendJson(meta, c[1].second);
  CHECK(meta == R"({"k":{"n":1.5}})");
  CHECK(std::get<bool>(c[2].second.storage()));
  CHECK(c[3].second.isNull());
  CHECK(std::holds_alternative<double>(c[4].second.storage()));
  CHECK(std::get<int64_t>(c[5].second.storage()) == -7);
  CHECK(stringField(c, "status") == "ok");  // not a status code
  CHECK(p.record.response_info.empty());
}

TEST_CASE("json: times out of range are kept, not converted", "[json]") {
  JsonParser parser;
  const auto p = parseLine(parser, R"({"level":"error","msg":"m","time":"0001-01-01T00:00:00Z"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.time == 0);
  CHECK(stringField(p.record.context, "time") == "0001-01-01T00:00:00Z");
  const auto q = parseLine(parser, R"({"level":"error","msg":"m","ts":-5})");
  REQUIRE(q.status == ParseStatus::kRecord);
  CHECK(q.record.time == 0);
  CHECK(intField(q.record.context, "ts") == -5);
}

TEST_CASE("json: stack given as an array of lines", "[json]") {
  JsonParser parser;
  const auto p = parseLine(parser, R"J({"msg":"m","stack":["Error: x","    at f (/a.js:1:1)"]})J");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);  // no level, but an exception
  CHECK_FALSE(p.record.traceback.empty());
}

TEST_CASE("json: lines that are not JSON objects", "[json]") {
  JsonParser parser;
  const std::string junk("\x00\xff\xfe{\x01\x02", 6);
  const std::string brace_junk("{\xff\xfe\x00\"level\":\"error\"}", 20);
  for (std::string_view line : std::vector<std::string_view>{
           "", "   ", "{", R"({"level":"error","msg":"cut)", R"({"level":"error"} trailing)",
           "[1,2,3]", R"("just a string")", "plain text ERROR line", junk, brace_junk,
           R"({"level":"error",})", "{\"a\":1}\n{\"b\":2}"}) {
    INFO(line);
    CHECK(parseLine(parser, line, Level::kDebug).status == ParseStatus::kNotMatched);
  }
  // The parser still works after garbage.
  CHECK(parseLine(parser, R"({"level":"error","msg":"ok"})").status == ParseStatus::kRecord);
  // No line at all.
  ErrorRecord r;
  CHECK(parser.parse(LogEvent{}, Level::kDebug, r) == ParseStatus::kNotMatched);
}

TEST_CASE("json: a 10 MB line", "[json]") {
  JsonParser parser;
  SECTION("valid") {
    std::string line = R"({"level":"error","msg":")";
    line.append(10u << 20, 'x');
    line.append(R"("})");
    const auto p = parseLine(parser, line);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.message.size() == (10u << 20));
  }
  SECTION("garbage") {
    std::string line = "{";
    line.append(10u << 20, '[');
    CHECK(parseLine(parser, line).status == ParseStatus::kNotMatched);
    CHECK(parser.probe(line) == 5);
  }
  SECTION("beyond the size limit") {
    std::string line = R"({"level":"error","msg":")";
    line.append(20u << 20, 'x');
    line.append(R"("})");
    CHECK(parseLine(parser, line).status == ParseStatus::kNotMatched);
  }
  // Small lines still parse after a huge one freed its buffers.
  CHECK(parseLine(parser, R"({"level":"error","msg":"after"})").record.message == "after");
}

TEST_CASE("json: below min_level", "[json]") {
  JsonParser parser;
  CHECK(parseLine(parser, R"({"level":"info","msg":"ok","a":{"b":[1,2]}})").status ==
        ParseStatus::kBelowLevel);
  CHECK(parseLine(parser, R"({"msg":"no level at all"})").status == ParseStatus::kBelowLevel);
  CHECK(parseLine(parser, R"({"level":"warn","msg":"w"})", Level::kWarning).status ==
        ParseStatus::kRecord);
  CHECK(parseLine(parser, R"({"level":"error","msg":"e"})", Level::kCritical).status ==
        ParseStatus::kBelowLevel);
}

TEST_CASE("json: probe, startsEvent, continuesEvent", "[json]") {
  JsonParser parser;
  CHECK(parser.probe(R"({"level":"info","msg":"hello"})") == 90);
  CHECK(parser.probe(R"({"message":"hello"})") == 90);
  CHECK(parser.probe(R"({"a":1,"b":"c"})") == 40);
  CHECK(parser.probe(R"({"level":"info","msg":"hel)") == 5);
  CHECK(parser.probe("2024-03-02 10:11:12 ERROR boom") == 0);
  CHECK(parser.probe("") == 0);
  CHECK(parser.probe("[1]") == 0);
  CHECK(parser.startsEvent(R"(  {"a":1})"));
  CHECK(parser.startsEvent("\xEF\xBB\xBF{\"a\":1}"));
  CHECK_FALSE(parser.startsEvent("  at com.x.Y(Y.java:1)"));
  CHECK_FALSE(parser.startsEvent(""));
  const std::string_view event[] = {R"({"a":1})"};
  CHECK_FALSE(parser.continuesEvent(event, "Traceback (most recent call last):"));
  CHECK(parser.name() == "json");
  // Leading blanks and a byte order mark are fine when parsing too.
  CHECK(parseLine(parser, "\xEF\xBB\xBF  {\"level\":\"error\",\"msg\":\"bom\"}").record.message ==
        "bom");
}

TEST_CASE("json: factory", "[json]") {
  auto parser = makeJsonParser();
  REQUIRE(parser != nullptr);
  CHECK(parser->name() == "json");
}

}  // namespace homeo
