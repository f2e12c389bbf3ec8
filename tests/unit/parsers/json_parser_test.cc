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
  // The exception's own message; the logged sentence is kept beside it.
  CHECK(p.record.exception_type == "KeyError");
  CHECK(p.record.message == "'total'");
  CHECK(stringField(p.record.context, "log_message") == "charge failed");
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
    CHECK(p.record.message == "boom");
    CHECK(stringField(p.record.context, "log_message") == "handler crashed");
    CHECK(p.record.exception_type == "TypeError");
    CHECK_FALSE(p.record.traceback.empty());
    // Only the unused part of err stays: its code.
    const JsonValue* err = field(p.record.context, "err");
    REQUIRE(err != nullptr);
    REQUIRE(err->isObject());
    CHECK(err->asObject()->size() == 1);
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
  CHECK(p.record.exception_type == "java.lang.IllegalStateException");
  CHECK(p.record.message == "cart is empty");
  CHECK(stringField(p.record.context, "log_message") == "Request processing failed");
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
    CHECK(p.record.message == "'sku'");
    CHECK(stringField(p.record.context, "log_message") == "lookup failed");
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
    CHECK(p.record.exception_type == "System.InvalidOperationException");
    CHECK(p.record.message == "Sequence contains no elements");
    CHECK(stringField(p.record.context, "log_message") == "Failed to process 42");
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
      parser, R"({"level":"error","msg":"m","labels":["a","b"],"meta":{"k":{"n":1.5}},)"
              R"("flag":true,"none":null,"big":18446744073709551615,"neg":-7,"status":"ok"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  const JsonObject& c = p.record.context;
  REQUIRE(c.size() == 7);
  CHECK(c[0].first == "labels");
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

// structlog's JSONRenderer after format_exc_info: the traceback as one string in `exception`,
// the event's text in `event`.
TEST_CASE("json: structlog with format_exc_info", "[json][dialect]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"({"user": "u-7", "event": "Failed to load user", "level": "error", "timestamp": )"
      R"("2024-03-02T10:11:12.846573Z", "exception": "Traceback (most recent call last):\n  )"
      R"(File \"/srv/shop/users.py\", line 42, in get_user\n    return users[user_id]\n        )"
      R"(   ~~~~~^^^^^^^^^\nKeyError: 'user_id'"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12, 846'573'000));
  CHECK(p.record.exception_type == "KeyError");
  CHECK(p.record.message == "'user_id'");
  CHECK(p.record.language == "python");
  REQUIRE(p.record.frames.size() == 1);
  CHECK(p.record.frames[0].file == "/srv/shop/users.py");
  CHECK(p.record.frames[0].line == 42);
  CHECK(p.record.frames[0].function == "get_user");
  CHECK(p.record.traceback.back() == "KeyError: 'user_id'");
  CHECK(stringField(p.record.context, "log_message") == "Failed to load user");
  CHECK(stringField(p.record.context, "user") == "u-7");
  CHECK(field(p.record.context, "exception") == nullptr);
}

// structlog's dict_tracebacks: the exception as a list of stacks, the raised one first and the
// one it was raised from after it, each frame with its locals.
TEST_CASE("json: structlog with dict_tracebacks", "[json][dialect]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"({"event": "order lookup failed", "level": "error", "timestamp": )"
      R"("2024-03-02T10:11:12.5Z", "exception": [{"exc_type": "LookupFailed", "exc_value": )"
      R"("order 7 not found", "syntax_error": null, "is_cause": false, "frames": [{"filename": )"
      R"("/srv/shop/api.py", "lineno": 31, "name": "show_order", "line": "", "locals": )"
      R"({"order_id": "7"}}, {"filename": "/srv/shop/orders.py", "lineno": 12, "name": "load", )"
      R"("line": "", "locals": {"key": "'7'"}}]}, {"exc_type": "KeyError", "exc_value": "'7'", )"
      R"("syntax_error": null, "is_cause": true, "frames": [{"filename": "/srv/shop/orders.py", )"
      R"("lineno": 10, "name": "load", "line": "", "locals": null}]}]})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.exception_type == "LookupFailed");
  CHECK(p.record.message == "order 7 not found");
  CHECK(p.record.language == "python");
  REQUIRE(p.record.frames.size() == 2);
  CHECK(p.record.frames[0].file == "/srv/shop/api.py");
  CHECK(p.record.frames[0].line == 31);
  CHECK(p.record.frames[0].function == "show_order");
  const JsonValue* locals = field(p.record.frames[0].extra, "locals");
  REQUIRE(locals != nullptr);
  REQUIRE(locals->isObject());
  CHECK(stringField(*locals->asObject(), "order_id") == "7");
  CHECK(p.record.frames[1].function == "load");
  // A traceback as Python prints it, for readers of the text.
  REQUIRE(p.record.traceback.size() == 4);
  CHECK(p.record.traceback[0] == "Traceback (most recent call last):");
  CHECK(p.record.traceback[1] == R"(  File "/srv/shop/api.py", line 31, in show_order)");
  CHECK(p.record.traceback[3] == "LookupFailed: order 7 not found");
  const JsonValue* cause = field(p.record.context, "root_cause");
  REQUIRE(cause != nullptr);
  REQUIRE(cause->isObject());
  CHECK(stringField(*cause->asObject(), "type") == "KeyError");
  CHECK(stringField(*cause->asObject(), "message") == "'7'");
  CHECK(stringField(p.record.context, "log_message") == "order lookup failed");
  CHECK(field(p.record.context, "exception") == nullptr);
}

// python-json-logger with logger.exception(): a pydantic ValidationError, whose message runs
// over several lines inside the exc_info string.
TEST_CASE("json: python-json-logger keeps a multi-line exception message", "[json][dialect]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"({"asctime": "2024-03-02 10:11:12,847", "name": "signup", "levelname": "ERROR", )"
      R"("message": "bad input", "exc_info": "Traceback (most recent call last):\n  File )"
      R"(\"/srv/signup/views.py\", line 20, in create\n    user = User(**payload)\n)"
      R"(pydantic_core._pydantic_core.ValidationError: 1 validation error for User\nage\n  )"
      R"(Input should be a valid integer [type=int_parsing, input_value='x', input_type=str]\n )"
      R"(   For further information visit https://errors.pydantic.dev/2.5/v/int_parsing"})");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.exception_type == "pydantic_core._pydantic_core.ValidationError");
  CHECK(p.record.message ==
        "1 validation error for User\nage\n  Input should be a valid integer [type=int_parsing, "
        "input_value='x', input_type=str]\n    For further information visit "
        "https://errors.pydantic.dev/2.5/v/int_parsing");
  CHECK(p.record.traceback.back() ==
        "    For further information visit https://errors.pydantic.dev/2.5/v/int_parsing");
  CHECK(stringField(p.record.context, "log_message") == "bad input");
  // A message of several lines that is no exception stays whole too.
  const auto q = parseLine(
      parser, R"({"levelname": "ERROR", "message": "2 validation errors\nage\n  missing"})");
  REQUIRE(q.status == ParseStatus::kRecord);
  CHECK(q.record.message == "2 validation errors\nage\n  missing");
}

// pino's standard err serializer and its integer epoch milliseconds.
TEST_CASE("json: pino with an err object", "[json][dialect]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"J({"level":50,"time":1709374272123,"pid":4242,"hostname":"web-3","err":{"type":)J"
      R"J("TypeError","message":"Cannot read properties of undefined (reading 'total')",)J"
      R"J("stack":"TypeError: Cannot read properties of undefined (reading 'total')\n    at )J"
      R"J(orderTotal (/srv/shop/cart.js:3:51)\n    at Object.<anonymous> (/srv/shop/app.js:4:7))J"
      R"J(\n    at Module._compile (node:internal/modules/cjs/loader:1521:14)"},"orderId":7,)J"
      R"J("msg":"handler crashed"})J");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.time == 1709374272123LL * 1'000'000);
  CHECK(p.record.exception_type == "TypeError");
  CHECK(p.record.message == "Cannot read properties of undefined (reading 'total')");
  CHECK(p.record.language == "javascript");
  REQUIRE(p.record.frames.size() >= 2);
  CHECK(stringField(p.record.context, "log_message") == "handler crashed");
  CHECK(intField(p.record.context, "orderId") == 7);
  CHECK(field(p.record.context, "err") == nullptr);  // every part of it was used
  // pino.error(err) alone: msg is the error's message, so there is nothing else to keep.
  const auto q = parseLine(
      parser, R"J({"level":50,"time":1709374272124,"err":{"type":"Error","message":"boom",)J"
              R"J("stack":"Error: boom\n    at run (/srv/shop/app.js:9:11)"},"msg":"boom"})J");
  REQUIRE(q.status == ParseStatus::kRecord);
  CHECK(q.record.message == "boom");
  CHECK(field(q.record.context, "log_message") == nullptr);
}

TEST_CASE("json: bunyan with the err serializer", "[json][dialect]") {
  JsonParser parser;
  const auto p = parseLine(
      parser,
      R"J({"name":"orders","hostname":"web-3","pid":812,"level":50,"err":{"message":"connect )J"
      R"J(ECONNREFUSED 10.0.0.9:5432","name":"Error","stack":"Error: connect ECONNREFUSED )J"
      R"J(10.0.0.9:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)",)J"
      R"J("code":"ECONNREFUSED"},"msg":"db down","time":"2024-03-02T10:11:12.225Z","v":0})J");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.module == "orders");
  CHECK(p.record.exception_type == "Error");
  CHECK(p.record.message == "connect ECONNREFUSED 10.0.0.9:5432");
  CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12, 225'000'000));
  CHECK(stringField(p.record.context, "log_message") == "db down");
  const JsonValue* err = field(p.record.context, "err");
  REQUIRE(err != nullptr);
  REQUIRE(err->isObject());
  CHECK(stringField(*err->asObject(), "code") == "ECONNREFUSED");
}

// Homeostasis' MonitoringLogger.exception() record, as json.dumps writes it (the message part
// of its `asctime - name - LEVEL - {json}` line, or a line of its own).
constexpr std::string_view kHomeostasisRecord =
    R"({"timestamp": "2024-03-02T10:11:12.925456", "service": "shop-api", "level": "ERROR", )"
    R"("message": "Failed to load user", "system_info": {"hostname": "app-7", "os_name": )"
    R"("posix", "platform": "Linux-6.1.0-x86_64-with-glibc2.36", "python_version": "3.11.7", )"
    R"("processor": "unknown", "architecture": "64bit", "service_name": "shop-api", )"
    R"("environment_variables": {"LANG": "C.UTF-8"}}, "call_location": {"file": )"
    R"("/srv/shop/api.py", "function": "show_user", "line_number": 51}, "error_details": )"
    R"({"exception_type": "KeyError", "message": "'user_id'", "traceback": ["Traceback (most )"
    R"(recent call last):\n", "  File \"/srv/shop/api.py\", line 49, in show_user\n    return )"
    R"(get_user(users, uid)\n", "  File \"/srv/shop/users.py\", line 9, in get_user\n    )"
    R"(return users[user_id]\n           ~~~~~^^^^^^^^^\n", "KeyError: 'user_id'\n"], )"
    R"("detailed_frames": [{"file": "/srv/shop/api.py", "line": 49, "function": "show_user", )"
    R"("locals": {"uid": "7"}}, {"file": "/srv/shop/users.py", "line": 9, "function": )"
    R"("get_user", "locals": {"users": "{}", "user_id": "user_id"}, "globals": {"CACHE": )"
    R"("{}"}}], "error_id": "KeyError-20240302101112-140072514904288", "occured_at": )"
    R"("2024-03-02T10:11:12.925440"}, "tags": ["api", "users"], "request_info": {"method": )"
    R"("GET", "path": "/users/7", "request_id": 88}, "context": {"tenant": "acme"}, )"
    R"("attempt": 2})";

TEST_CASE("json: a Homeostasis error record is read as the record it is", "[json][homeostasis]") {
  setLocalZone("Europe/Berlin");  // its timestamp is naive: read in the configured zone
  JsonParser parser;
  const auto p = parseLine(parser, kHomeostasisRecord);
  setLocalZone("");
  REQUIRE(p.status == ParseStatus::kRecord);
  const ErrorRecord& r = p.record;
  CHECK(r.level == Level::kError);
  CHECK(r.service == "shop-api");
  CHECK(r.time == utc(2024, 3, 2, 9, 11, 12, 925'456'000));
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "'user_id'");
  CHECK(r.language == "python");
  CHECK(r.error_id == "KeyError-20240302101112-140072514904288");
  // traceback.format_exception's strings of several lines are the traceback's lines.
  REQUIRE(r.traceback.size() == 7);
  CHECK(r.traceback[0] == "Traceback (most recent call last):");
  CHECK(r.traceback[3] == R"(  File "/srv/shop/users.py", line 9, in get_user)");
  CHECK(r.traceback[5] == "           ~~~~~^^^^^^^^^");
  CHECK(r.traceback[6] == "KeyError: 'user_id'");
  // Its own frames, with their locals and globals.
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames[1].file == "/srv/shop/users.py");
  CHECK(r.frames[1].line == 9);
  CHECK(r.frames[1].function == "get_user");
  REQUIRE(r.frames[1].extra.size() == 2);
  CHECK(r.frames[1].extra[0].first == "locals");
  CHECK(r.frames[1].extra[1].first == "globals");
  CHECK(r.tags == std::vector<std::string>{"api", "users"});
  CHECK(stringField(r.request_info, "method") == "GET");
  CHECK(stringField(r.request_info, "request_id") == "88");  // the schema's type: a string
  CHECK(stringField(r.system_info, "os_name") == "posix");
  CHECK(stringField(r.system_info, "python_version") == "3.11.7");
  const JsonValue* location = field(r.extra, "call_location");
  REQUIRE(location != nullptr);
  REQUIRE(location->isObject());
  CHECK(intField(*location->asObject(), "line_number") == 51);
  // Its misspelt occurred-at stays as it came, beside ours.
  CHECK(stringField(r.details_extra, "occured_at") == "2024-03-02T10:11:12.925440");
  CHECK(stringField(r.context, "log_message") == "Failed to load user");
  CHECK(stringField(r.context, "tenant") == "acme");
  CHECK(intField(r.context, "attempt") == 2);
  for (auto key : {"service", "tags", "error_details", "system_info", "call_location",
                   "request_info", "context", "timestamp", "level", "message"}) {
    INFO(key);
    CHECK(field(r.context, key) == nullptr);
  }
  // Its INFO lines stay below the level.
  CHECK(parseLine(parser, R"({"timestamp": "2024-03-02T10:11:12.1", "service": "shop-api", )"
                          R"("level": "INFO", "message": "Service started", "port": 8000})")
            .status == ParseStatus::kBelowLevel);
}

TEST_CASE("json: service, tags and the record's own objects fill the record", "[json]") {
  JsonParser parser;
  SECTION("a flat service name and tags") {
    const auto p = parseLine(parser, R"({"level":"error","msg":"m","service":"checkout",)"
                                     R"("tags":["payments","eu"]})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.service == "checkout");
    CHECK(p.record.tags == std::vector<std::string>{"payments", "eu"});
    CHECK(p.record.context.empty());
  }
  SECTION("ECS service.name and service.version; the rest of service stays") {
    const auto p = parseLine(
        parser, R"({"log.level":"error","message":"m",)"
                R"("service":{"name":"billing","version":"1.4.2","node":{"name":"n1"}}})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.service == "billing");
    CHECK(p.record.release == "1.4.2");
    const JsonValue* service = field(p.record.context, "service");
    REQUIRE(service != nullptr);
    REQUIRE(service->isObject());
    CHECK(field(*service->asObject(), "version") == nullptr);
    CHECK(field(*service->asObject(), "node") != nullptr);
  }
  SECTION("tags that are not all strings stay in context") {
    const auto p = parseLine(parser, R"({"level":"error","msg":"m","tags":["a",1]})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.tags.empty());
    CHECK(field(p.record.context, "tags") != nullptr);
  }
  SECTION("request_info and response_info win over flat keys") {
    const auto p = parseLine(parser, R"({"level":"error","msg":"m","method":"GET","path":"/a",)"
                                     R"("request_info":{"path":"/b","query":{"q":"1"}},)"
                                     R"("response_info":{"status_code":"503","size_bytes":12}})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(stringField(p.record.request_info, "method") == "GET");
    CHECK(stringField(p.record.request_info, "path") == "/b");
    CHECK(field(p.record.request_info, "query") != nullptr);
    CHECK(intField(p.record.response_info, "status_code") == 503);
    CHECK(intField(p.record.response_info, "size_bytes") == 12);
    CHECK(p.record.context.empty());
  }
  SECTION("values of the wrong type for the record schema are kept in context") {
    const auto p =
        parseLine(parser, R"({"level":"error","msg":"m","request_info":{"method":7,"path":"/a"},)"
                          R"("error_details":{"exception_type":"E","message":["x"],"traceback":5,)"
                          R"("code":"E42"}})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(stringField(p.record.request_info, "path") == "/a");
    CHECK(field(p.record.request_info, "method") == nullptr);
    const JsonValue* req = field(p.record.context, "request_info");
    REQUIRE(req != nullptr);
    CHECK(intField(*req->asObject(), "method") == 7);
    const JsonValue* details = field(p.record.context, "error_details");
    REQUIRE(details != nullptr);
    REQUIRE(details->isObject());
    CHECK(details->asObject()->size() == 2);  // message and traceback
    CHECK(p.record.exception_type == "E");
    CHECK(p.record.message == "m");
    CHECK(stringField(p.record.details_extra, "code") == "E42");
  }
  SECTION("error_details alone makes an error, its occurred_at the time") {
    const auto p = parseLine(parser, R"({"msg":"m","error_details":{"exception_type":"E",)"
                                     R"("occurred_at":"2024-03-02T10:11:12Z"}})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12));
    CHECK(p.record.details_extra.empty());
  }
  SECTION("a top-level error_id is an application's field, not the record's id") {
    const auto p = parseLine(parser, R"({"level":"error","msg":"m","error_id":"E_PAYMENT"})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.error_id.empty());
    CHECK(stringField(p.record.context, "error_id") == "E_PAYMENT");
  }
}

TEST_CASE("json: epoch times in integers and text are exact", "[json]") {
  JsonParser parser;
  auto timeOf = [&](std::string_view t) {
    const auto p =
        parseLine(parser, R"({"level":"error","msg":"m","time":)" + std::string(t) + "}");
    REQUIRE(p.status == ParseStatus::kRecord);
    return p.record.time;
  };
  CHECK(timeOf("1709374272") == 1709374272000000000LL);
  CHECK(timeOf("1709374272123") == 1709374272123000000LL);
  CHECK(timeOf("1709374272123456") == 1709374272123456000LL);
  CHECK(timeOf("1709374272123456789") == 1709374272123456789LL);
  CHECK(timeOf(R"("1709374272.123456789")") == 1709374272123456789LL);
  CHECK(timeOf("1709374272.123456") == 1709374272123456000LL);
}

TEST_CASE("json: an object inside a text line", "[json][homeostasis]") {
  JsonParser parser;
  ErrorRecord r;
  JsonParser::ObjectOptions header;
  header.level = Level::kError;
  header.need_message = true;
  // The header's level decides; an object without message or error_details is not a record.
  CHECK(parser.parseObject(R"({"level":"INFO","message":"m"})", Level::kError, r, header) ==
        ParseStatus::kRecord);
  CHECK(r.level == Level::kError);
  r.clear();
  CHECK(parser.parseObject(R"({"order":5})", Level::kError, r, header) == ParseStatus::kNotMatched);
  CHECK(parser.parseObject(R"({"order":5})", Level::kError, r, {}) == ParseStatus::kBelowLevel);
  header.level = Level::kInfo;
  CHECK(parser.parseObject(R"({"message":"m"})", Level::kError, r, header) ==
        ParseStatus::kBelowLevel);
  CHECK(parser.hasRecordShape(kHomeostasisRecord));
  CHECK(parser.hasRecordShape(R"({"timestamp":"t","service":"s","level":"INFO","message":"m"})"));
  CHECK(parser.hasRecordShape(R"({"error_details":{}})"));
  CHECK_FALSE(parser.hasRecordShape(R"({"timestamp":"t","level":"INFO","message":"m"})"));
  CHECK_FALSE(parser.hasRecordShape(R"({"error_details":"x"})"));
  CHECK_FALSE(parser.hasRecordShape("not json"));
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
