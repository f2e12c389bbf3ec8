#include <catch2/catch.hpp>

#include "common/json.h"
#include "common/record.h"
#include "common/timeutil.h"

using namespace homeo;

TEST_CASE("json: strings are escaped and invalid UTF-8 replaced", "[json]") {
  std::string out;
  appendJsonString(out, std::string("a\"b\\c\n\x01\xff\xc3\xa9", 10));
  CHECK(out == "\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD\xc3\xa9\"");
}

TEST_CASE("time: parse and format", "[time]") {
  CHECK(parseTimestamp("2023-05-20T14:30:22Z") == 1684593022000000000LL);
  CHECK(parseTimestamp("2023-05-20T16:30:22.5+02:00") == 1684593022500000000LL);
  CHECK(parseTimestamp("1684593022") == 1684593022000000000LL);
  CHECK(parseTimestamp("1684593022123") == 1684593022123000000LL);
  CHECK(formatRfc3339(1684593022000000000LL) == "2023-05-20T14:30:22Z");
  CHECK(formatRfc3339(1684593022123000000LL) == "2023-05-20T14:30:22.123Z");
  CHECK(formatRfc3339(1684593022123456789LL) == "2023-05-20T14:30:22.123456Z");
  CHECK(formatRfc3339(1684593022000000999LL) == "2023-05-20T14:30:22Z");
  // pino's epoch milliseconds, as a double, come out exact.
  CHECK(epochToNanos(1684593022123.0).value_or(0) == 1684593022123000000LL);
  CHECK(epochToNanos(1684593022.123).value_or(0) == 1684593022123000000LL);
  CHECK_FALSE(parseTimestamp("yesterday").has_value());
  CHECK_FALSE(parseTimestamp("2023-13-40T00:00:00Z").has_value());
  size_t used = 0;
  auto t = parseTimestampPrefix("May  3 04:05:06 host x", &used);
  REQUIRE(t);
  CHECK(t->month == 5);
  CHECK(t->day == 3);
  CHECK(used == 15);
}

TEST_CASE("levels: dialects", "[level]") {
  CHECK(parseLevel("warn") == Level::kWarning);
  CHECK(parseLevel("FATAL") == Level::kCritical);
  CHECK(parseLevel("emerg") == Level::kCritical);
  CHECK(parseLevel("SEVERE") == Level::kError);
  CHECK(parseLevel("E") == Level::kError);
  CHECK_FALSE(parseLevel("banana").has_value());
  CHECK(levelFromSyslogSeverity(3) == Level::kError);
  CHECK(levelFromSyslogSeverity(2) == Level::kCritical);
  CHECK(levelFromBunyanNumber(50) == Level::kError);
  CHECK(levelFromBunyanNumber(60) == Level::kCritical);
  CHECK(levelFromPythonNumber(40) == Level::kError);
}

TEST_CASE("record: serialization shape", "[record]") {
  ErrorRecord r;
  r.time = 1684593022000000000LL;
  r.service = "svc";
  r.exception_type = "KeyError";
  r.message = "'k'";
  r.frames = {{"/a.py", 3, "f"}};
  r.source_path = "/log";
  r.source_offset = 7;
  r.format = "python";
  r.raw_log = "raw";
  std::string out;
  serializeRecord(r, out);
  CHECK(out.rfind("{\"timestamp\":\"2023-05-20T14:30:22Z\",\"service\":\"svc\",\"level\":\"ERROR\","
                  "\"message\":\"KeyError: 'k'\"",
                  0) == 0);
  CHECK(out.find("\"detailed_frames\":[{\"file\":\"/a.py\",\"line\":3,\"function\":\"f\","
                 "\"in_app\":true}]") != std::string::npos);
  CHECK(out.find("\"source\":{\"path\":\"/log\",\"offset\":7}") != std::string::npos);
}

TEST_CASE("record: top-level error_id and error_type, as the orchestrator reads them", "[record]") {
  ErrorRecord r;
  r.time = 1684593022000000000LL;
  r.service = "svc";
  r.message = "upstream timed out";
  r.error_id = "55c49d59-8ba8-e02a-1683-d62b77c21731";
  r.source_path = "/log";
  r.format = "nginx_error";
  std::string out;
  serializeRecord(r, out);
  CHECK(out.find("\"message\":\"upstream timed out\",\"error_id\":\"55c49d59-8ba8-e02a-1683-"
                 "d62b77c21731\",\"error_type\":\"LogError\"") != std::string::npos);
  CHECK(
      out.find("\"error_details\":{\"message\":\"upstream timed out\",\"error_id\":\"55c49d59-") !=
      std::string::npos);
  r.level = Level::kCritical;
  CHECK(errorType(r) == "LogCritical");
  r.response_info = {{"status_code", 502}};
  CHECK(errorType(r) == "HTTP502");
  r.exception_type = "KeyError";
  CHECK(errorType(r) == "KeyError");
}

TEST_CASE("record: frames carry class and column; frames without file and line stay out",
          "[record]") {
  ErrorRecord r;
  r.time = 1;
  r.exception_type = "java.lang.IllegalStateException";
  r.frames = {{"Thread.java", 0, "run", 0, "java.lang.Thread"},
              {"OrderService.java", 42, "place", 0, "com.shop.OrderService"},
              {"/app/x.js", 10, "handler", 7, ""},
              {"", 0, "panic", 0, ""}};
  r.frames[2].extra = {{"locals", JsonObject{{"n", "1"}}}};
  std::string out;
  serializeRecord(r, out);
  CHECK(
      out.find(
          "\"detailed_frames\":[{\"file\":\"OrderService.java\",\"line\":42,\"function\":"
          "\"place\",\"class\":\"com.shop.OrderService\",\"in_app\":true},{\"file\":\"/app/x.js\","
          "\"line\":10,\"column\":7,\"function\":\"handler\",\"in_app\":true,\"locals\":{"
          "\"n\":\"1\"}}]") != std::string::npos);
}

TEST_CASE("record: error_details names the short type where Homeostasis' rules do", "[record]") {
  ErrorRecord r;
  r.time = 1;
  r.language = "java";
  r.exception_type = "java.lang.NullPointerException";
  r.message = "name is null";
  std::string out;
  serializeRecord(r, out);
  CHECK(out.find("\"exception_type\":\"java.lang.NullPointerException\",") != std::string::npos);
  CHECK(out.find("\"error_details\":{\"exception_type\":\"NullPointerException\",") !=
        std::string::npos);
  CHECK(out.find("\"error_type\":\"java.lang.NullPointerException\"") != std::string::npos);
  CHECK(out.find("\"message\":\"java.lang.NullPointerException: name is null\"") !=
        std::string::npos);
  r.exception_type = "com.shop.Orders$StockException";
  CHECK(detailsExceptionType(r) == "StockException");
  r.language = "python";
  r.exception_type = "sqlalchemy.exc.OperationalError";
  CHECK(detailsExceptionType(r) == "OperationalError");
  r.exception_type = "KeyError";
  CHECK(detailsExceptionType(r) == "KeyError");
  r.language = "php";
  r.exception_type = "Illuminate\\Database\\QueryException";
  CHECK(detailsExceptionType(r) == "QueryException");
  // Their rules name these types as the traces write them.
  r.language = "csharp";
  r.exception_type = "System.InvalidOperationException";
  CHECK(detailsExceptionType(r) == "System.InvalidOperationException");
  r.language = "ruby";
  r.exception_type = "ActiveRecord::RecordNotFound";
  CHECK(detailsExceptionType(r) == "ActiveRecord::RecordNotFound");
  r.language = "java";
  r.exception_type = "Broken.";
  CHECK(detailsExceptionType(r) == "Broken.");
}

TEST_CASE("record: a source record's own keys are kept beside ours", "[record]") {
  ErrorRecord r;
  r.time = 1;
  r.extra = {{"call_location", JsonObject{{"file", "/app/x.py"}}}};
  r.details_extra = {{"occured_at", "2023-01-01T12:00:00"}};
  std::string out;
  serializeRecord(r, out);
  CHECK(out.find(
            "\"occurred_at\":\"1970-01-01T00:00:00Z\",\"occured_at\":\"2023-01-01T12:00:00\"}") !=
        std::string::npos);
  CHECK(out.find(",\"call_location\":{\"file\":\"/app/x.py\"},\"metadata\":") != std::string::npos);
}

TEST_CASE("record: a source other than a file is written as metadata.source", "[record]") {
  ErrorRecord r;
  r.message = "disk full";
  r.format = "text";
  r.source = {{"type", "journald"}, {"unit", "checkout.service"}, {"cursor", "s=1;i=2"}};
  std::string out;
  serializeRecord(r, out);
  CHECK(out.find("\"metadata\":{\"source\":{\"type\":\"journald\",\"unit\":\"checkout.service\","
                 "\"cursor\":\"s=1;i=2\"},\"format\":\"text\"") != std::string::npos);
  CHECK(out.find("\"path\"") == std::string::npos);
}

TEST_CASE("record: clear resets every member", "[record]") {
  ErrorRecord r;
  r.time = 1684593022000000000LL;
  r.service = "svc";
  r.level = Level::kWarning;
  r.message = "m";
  r.exception_type = "E";
  r.traceback = {"t"};
  r.language = "python";
  r.frames = {{"/a.py", 3, "f"}};
  r.error_id = "id";
  r.system_info = {{"k", "v"}};
  r.request_info = {{"k", "v"}};
  r.response_info = {{"k", "v"}};
  r.context = {{"k", "v"}};
  r.tags = {"tag"};
  r.source_path = "/log";
  r.source_offset = 7;
  r.source = {{"type", "journald"}};
  r.format = "python";
  r.module = "mod";
  r.fingerprint = "fp";
  r.raw_log = "raw";
  r.release = "1.0";
  r.environment = "prod";
  r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  r.span_id = "00f067aa0ba902b7";
  r.metadata_extra = {{"k", "v"}};
  r.extra = {{"k", "v"}};
  r.details_extra = {{"k", "v"}};
  // Every member is set above: a member added to ErrorRecord changes its size and stops this
  // test until it is set here and reset in clear().
  static_assert(sizeof(ErrorRecord) ==
                    sizeof(UnixNanos) + alignof(std::string) /* level, padded */ +
                        14 * sizeof(std::string) + 2 * sizeof(std::vector<std::string>) +
                        sizeof(std::vector<Frame>) + 8 * sizeof(JsonObject) + sizeof(uint64_t),
                "ErrorRecord changed: set the new member here and reset it in clear()");
  r.clear();
  CHECK(r.time == 0);
  // Serialized with one time, as a record without one takes the time of serialization.
  ErrorRecord fresh_record;
  r.time = fresh_record.time = 1;
  std::string cleared, fresh;
  serializeRecord(r, cleared);
  serializeRecord(fresh_record, fresh);
  CHECK(cleared == fresh);
  CHECK(r.level == Level::kError);
  CHECK(r.source_offset == 0);
  CHECK(r.error_id.empty());
  CHECK(r.module.empty());
  CHECK(r.fingerprint.empty());
  CHECK(r.raw_log.empty());

  // A small buffer is kept for the next record, a large one given back.
  r.message.assign(100, 'm');
  r.raw_log.assign(1 << 20, 'r');
  const size_t small_capacity = r.message.capacity();
  r.clear();
  CHECK(r.message.capacity() == small_capacity);
  CHECK(r.raw_log.capacity() < 1024);
}

TEST_CASE("fingerprint: class and function, located frames first", "[record]") {
  ErrorRecord a;
  a.language = "java";
  a.exception_type = "java.lang.IllegalStateException";
  a.frames = {{"Api.java", 7, "handle", 0, "com.shop.Api"},
              {"", 0, "place", 0, "com.shop.Orders$$Proxy$$1"},
              {"Orders.java", 42, "place", 0, "com.shop.Orders"}};
  ErrorRecord b = a;
  b.frames[1].class_name = "com.shop.Orders$$Proxy$$2";  // unlocated: does not count
  CHECK(computeFingerprint(a) == computeFingerprint(b));
  ErrorRecord c = a;
  c.frames[2].class_name = "com.shop.Billing";  // same method name, another class
  CHECK(computeFingerprint(a) != computeFingerprint(c));
  // The name as the trace wrote it: splitting it keeps a group's fingerprint.
  ErrorRecord whole = a;
  for (Frame& f : whole.frames) {
    f.function = f.class_name + "." + f.function;
    f.class_name.clear();
  }
  CHECK(computeFingerprint(whole) == computeFingerprint(a));
}

TEST_CASE("fingerprint: variable parts removed", "[record]") {
  CHECK(normalizeMessage("user 42 not found at 10.0.0.1") ==
        normalizeMessage("user 7 not found at 192.168.1.9"));
  CHECK(normalizeMessage("open '/tmp/a' failed") == normalizeMessage("open '/var/b' failed"));
  CHECK(normalizeMessage("disk full") != normalizeMessage("disk empty"));
  const std::string a = computeErrorId("h", 1, 10, "x");
  CHECK(a.size() == 36);
  CHECK(a == computeErrorId("h", 1, 10, "x"));
  CHECK(a != computeErrorId("h", 1, 11, "x"));
}

TEST_CASE("json: Unicode line breaks are escaped", "[json]") {
  std::string out;
  appendJsonString(out,
                   "a\xC2\x85"
                   "b\xE2\x80\xA8"
                   "c\xE2\x80\xA9"
                   "d\xC2\xA0");
  CHECK(out == "\"a\\u0085b\\u2028c\\u2029d\xC2\xA0\"");
}
