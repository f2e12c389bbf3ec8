#include "transports/http/ushs_event.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/record.h"

namespace homeo {
namespace {

namespace dom = simdjson::dom;

// A Python KeyError in a request, with everything a record can carry.
ErrorRecord fullRecord() {
  ErrorRecord r;
  r.time = 1684593022123000000;  // 2023-05-20T14:30:22.123Z
  r.service = "checkout-api";
  r.level = Level::kError;
  r.message = "'user_id'";
  r.exception_type = "KeyError";
  r.traceback = {
      "Traceback (most recent call last):", "  File \"/app/main.py\", line 10, in <module>",
      "  File \"/app/api.py\", line 42, in get_user", "KeyError: 'user_id'"};
  r.language = "python";
  r.frames = {Frame("/app/main.py", 10, "<module>"), Frame("", 0, "native_call"),
              Frame("/app/api.py", 42, "get_user", 7, "UserApi")};
  r.error_id = "55c49d59-8ba8-e02a-1683-d62b77c21731";
  setField(r.system_info, "hostname", JsonValue("web01"));
  setField(r.system_info, "os_name", JsonValue("Linux"));
  setField(r.request_info, "method", JsonValue("GET"));
  setField(r.request_info, "request_id", JsonValue("req-7"));
  setField(r.response_info, "status_code", JsonValue(500));
  setField(r.context, "log_message", JsonValue("Failed to load user"));
  r.tags = {"web"};
  r.source_path = "/var/log/app/app.log";
  r.source_offset = 54;
  r.format = "python";
  r.module = "app.users";
  r.fingerprint = "cf71d2dad05edbb6";
  r.raw_log = "2023-05-20 14:30:22,123 - app.users - ERROR - Failed to load user";
  setField(r.metadata_extra, "environment", JsonValue("production"));
  setField(r.metadata_extra, "release", JsonValue("1.4.2"));
  return r;
}

// A plain error line: no exception, no frames, no request.
ErrorRecord plainRecord(Level level) {
  ErrorRecord r;
  r.time = 1684593022000000000;
  r.service = "worker";
  r.level = level;
  r.message = "disk quota exceeded on /data";
  r.error_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  r.source_path = "/var/log/worker.log";
  r.format = "text";
  r.fingerprint = "0123456789abcdef";
  r.raw_log = "2023-05-20 14:30:22 ERROR disk quota exceeded on /data";
  return r;
}

std::string serialized(const ErrorRecord& r) {
  std::string out;
  serializeRecord(r, out);
  return out;
}

// Every object of `e`, at any depth, names each key once.
bool keysUnique(dom::element e) {
  dom::object o;
  dom::array a;
  if (e.get_object().get(o) == simdjson::SUCCESS) {
    std::set<std::string_view> seen;
    for (const dom::key_value_pair field : o) {
      if (!seen.insert(field.key).second || !keysUnique(field.value)) return false;
    }
  } else if (e.get_array().get(a) == simdjson::SUCCESS) {
    for (const dom::element x : a) {
      if (!keysUnique(x)) return false;
    }
  }
  return true;
}

// Converts `record` and parses the event back (the test fails if either step does).
struct Event {
  explicit Event(const std::string& record) {
    std::string error;
    UshsEncoder encoder;
    REQUIRE(encoder.encode(record, text, error));
    CHECK(error.empty());
    REQUIRE(parser.parse(text).get(root) == simdjson::SUCCESS);
    REQUIRE(root.get_object().get(object) == simdjson::SUCCESS);
    CHECK(keysUnique(root));
  }
  // The string at `pointer` (JSON Pointer), "<missing>" when absent or not a string.
  std::string str(std::string_view pointer) const {
    std::string_view s;
    if (root.at_pointer(pointer).get_string().get(s) != simdjson::SUCCESS) return "<missing>";
    return std::string(s);
  }
  int64_t integer(std::string_view pointer) const {
    int64_t i = -1;
    if (root.at_pointer(pointer).get_int64().get(i) != simdjson::SUCCESS) return -1;
    return i;
  }
  bool has(std::string_view pointer) const {
    return root.at_pointer(pointer).error() == simdjson::SUCCESS;
  }
  std::string text;
  dom::parser parser;
  dom::element root;
  dom::object object;
};

TEST_CASE("USHS severity ranks levels as Homeostasis' extractor does", "[transports][ushs]") {
  CHECK(ushsSeverity(Level::kCritical) == "critical");
  CHECK(ushsSeverity(Level::kError) == "high");
  CHECK(ushsSeverity(Level::kWarning) == "medium");
  CHECK(ushsSeverity(Level::kInfo) == "low");
  CHECK(ushsSeverity(Level::kDebug) == "low");
}

TEST_CASE("USHS event id: a UUID-shaped error_id as it is, any other a stable version 5 UUID",
          "[transports][ushs]") {
  CHECK(ushsEventId("55c49d59-8ba8-e02a-1683-d62b77c21731") ==
        "55c49d59-8ba8-e02a-1683-d62b77c21731");
  CHECK(ushsEventId("55C49D59-8BA8-E02A-1683-D62B77C21731") ==
        "55c49d59-8ba8-e02a-1683-d62b77c21731");
  // A Homeostasis logger's own id. The expected value is Python's
  // uuid.uuid5(UUID("b2952aa7-94fc-4b3d-ac61-d2da49650b17"), id).
  CHECK(ushsEventId("KeyError-20230101120000-140072514904288") ==
        "b5887b43-2b99-53fa-9d2e-5f2325b55003");
  CHECK(ushsEventId("KeyError-20230101120000-140072514904288") ==
        ushsEventId("KeyError-20230101120000-140072514904288"));
  CHECK(ushsEventId("KeyError-20230101120000-140072514904289") !=
        ushsEventId("KeyError-20230101120000-140072514904288"));
  // Almost UUIDs are not taken as they are.
  for (const char* id :
       {"55c49d59-8ba8-e02a-1683-d62b77c2173", "55c49d59_8ba8-e02a-1683-d62b77c21731",
        "55c49d59-8ba8-e02a-1683-d62b77c2173g", "{55c49d59-8ba8-e02a-1683-d62b77c2}"}) {
    INFO(id);
    const std::string derived = ushsEventId(id);
    CHECK(derived != id);
    REQUIRE(derived.size() == 36);
    CHECK(derived[14] == '5');                                          // version
    CHECK(std::string("89ab").find(derived[19]) != std::string::npos);  // RFC variant
  }
}

TEST_CASE("USHS event of a full record: every part mapped", "[transports][ushs]") {
  const ErrorRecord r = fullRecord();
  Event e(serialized(r));
  CHECK(e.str("/id") == "55c49d59-8ba8-e02a-1683-d62b77c21731");
  CHECK(e.str("/timestamp") == "2023-05-20T14:30:22.123Z");
  CHECK(e.str("/severity") == "high");

  CHECK(e.str("/source/service") == "checkout-api");
  CHECK(e.str("/source/hostname") == "web01");
  CHECK(e.str("/source/environment") == "production");
  CHECK(e.str("/source/version") == "1.4.2");
  // The innermost frame (the last: frames run outermost first).
  CHECK(e.str("/source/location") == "/app/api.py:42:7 in UserApi.get_user");
  CHECK_FALSE(e.has("/source/containerID"));

  CHECK(e.str("/error/type") == "KeyError");
  CHECK(e.str("/error/message") == "'user_id'");
  CHECK(e.str("/error/code") == "500");
  dom::array frames;
  REQUIRE(e.root.at_pointer("/error/stackTrace").get_array().get(frames) == simdjson::SUCCESS);
  REQUIRE(frames.size() == 2);  // the frame without a file and line is not in detailed_frames
  CHECK(e.str("/error/stackTrace/0/file") == "/app/main.py");
  CHECK(e.integer("/error/stackTrace/0/line") == 10);
  CHECK(e.str("/error/stackTrace/0/function") == "<module>");
  CHECK_FALSE(e.has("/error/stackTrace/0/column"));
  CHECK(e.str("/error/stackTrace/1/file") == "/app/api.py");
  CHECK(e.integer("/error/stackTrace/1/line") == 42);
  CHECK(e.integer("/error/stackTrace/1/column") == 7);
  CHECK(e.str("/error/stackTrace/1/function") == "get_user");
  CHECK(e.str("/error/stackTrace/1/class") == "UserApi");
  CHECK(e.str("/error/context/log_message") == "Failed to load user");

  CHECK(e.str("/correlationId") == "req-7");

  CHECK(e.str("/metadata/error_id") == r.error_id);
  CHECK(e.str("/metadata/fingerprint") == "cf71d2dad05edbb6");
  CHECK(e.str("/metadata/format") == "python");
  CHECK(e.str("/metadata/module") == "app.users");
  CHECK(e.str("/metadata/source/path") == "/var/log/app/app.log");
  CHECK(e.integer("/metadata/source/offset") == 54);
  CHECK(e.str("/metadata/raw_log") == r.raw_log);
  CHECK(e.str("/metadata/language") == "python");
  CHECK(e.str("/metadata/level") == "ERROR");
  CHECK(e.str("/metadata/exception_type") == "KeyError");
  CHECK(e.str("/metadata/traceback/3") == "KeyError: 'user_id'");
  CHECK(e.str("/metadata/tags/0") == "web");
  CHECK(e.str("/metadata/system_info/os_name") == "Linux");
  CHECK(e.str("/metadata/request_info/method") == "GET");
  CHECK(e.integer("/metadata/response_info/status_code") == 500);
  CHECK(e.str("/metadata/environment") == "production");
  CHECK_FALSE(e.has("/metadata/error_details"));  // nothing beyond what the event already says
  CHECK_FALSE(e.has("/userImpact"));

  // Only the keys USHS v1.0 defines at the top and in source and error.
  const std::set<std::string_view> top = {"id",    "timestamp",     "severity", "source",
                                          "error", "correlationId", "metadata"};
  for (const dom::key_value_pair field : e.object) CHECK(top.count(field.key) == 1);
}

TEST_CASE("USHS event of a plain error line", "[transports][ushs]") {
  Event e(serialized(plainRecord(Level::kCritical)));
  CHECK(e.str("/severity") == "critical");
  CHECK(e.str("/error/type") == "LogCritical");
  CHECK(e.str("/error/message") == "disk quota exceeded on /data");
  for (const char* absent :
       {"/error/stackTrace", "/error/code", "/error/context", "/source/location",
        "/source/hostname", "/source/version", "/source/environment", "/correlationId",
        "/metadata/language", "/metadata/traceback"}) {
    INFO(absent);
    CHECK_FALSE(e.has(absent));
  }
  CHECK(e.str("/metadata/level") == "CRITICAL");

  CHECK(Event(serialized(plainRecord(Level::kWarning))).str("/severity") == "medium");
  CHECK(Event(serialized(plainRecord(Level::kInfo))).str("/severity") == "low");
}

TEST_CASE("USHS event: an empty message falls back to the top-level one, then the type",
          "[transports][ushs]") {
  ErrorRecord r = plainRecord(Level::kError);
  r.message.clear();
  r.exception_type = "TimeoutError";
  Event e(serialized(r));
  CHECK(e.str("/error/type") == "TimeoutError");
  CHECK(e.str("/error/message") == "TimeoutError");  // the top-level message is the type alone

  Event bare(R"({"timestamp":"2023-05-20T14:30:22Z","level":"ERROR","error_type":"X"})");
  CHECK(bare.str("/error/message") == "X");
  CHECK(bare.str("/source/service") == "unknown");
}

TEST_CASE("USHS event: codes and correlation ids from where the record has them",
          "[transports][ushs]") {
  ErrorRecord r = plainRecord(Level::kError);
  setField(r.context, "error_code", JsonValue("MY-010123"));
  setField(r.context, "code", JsonValue("ignored: error_code comes first"));
  setField(r.metadata_extra, "trace_id", JsonValue("4bf92f3577b34da6a3ce929d0e0e4736"));
  setField(r.context, "trace_id", JsonValue("ignored: metadata comes first"));
  Event e(serialized(r));
  CHECK(e.str("/error/code") == "MY-010123");
  CHECK(e.str("/correlationId") == "4bf92f3577b34da6a3ce929d0e0e4736");

  ErrorRecord node = plainRecord(Level::kError);
  setField(node.context, "code", JsonValue("ECONNREFUSED"));
  setField(node.context, "correlation_id", JsonValue("c-1"));
  Event n(serialized(node));
  CHECK(n.str("/error/code") == "ECONNREFUSED");
  CHECK(n.str("/correlationId") == "c-1");

  ErrorRecord numeric = plainRecord(Level::kError);
  setField(numeric.context, "code", JsonValue(1213));
  setField(numeric.request_info, "request_id", JsonValue(int64_t{98765}));
  Event m(serialized(numeric));
  CHECK(m.str("/error/code") == "1213");
  CHECK(m.str("/correlationId") == "98765");

  ErrorRecord access = plainRecord(Level::kError);
  setField(access.response_info, "status_code", JsonValue(502));
  Event a(serialized(access));
  CHECK(a.str("/error/type") == "HTTP502");
  CHECK(a.str("/error/code") == "502");
  setField(access.response_info, "status_code", JsonValue(200));
  CHECK_FALSE(Event(serialized(access)).has("/error/code"));
}

TEST_CASE("USHS event: keys the event has no place for stay in metadata", "[transports][ushs]") {
  ErrorRecord r = fullRecord();
  // A Homeostasis logger record's own keys, kept as they came.
  setField(r.extra, "call_location",
           JsonValue(JsonObject{{"file", JsonValue("api.py")}, {"line_number", JsonValue(3)}}));
  setField(r.details_extra, "occured_at", JsonValue("2023-05-20T14:30:22"));
  // A metadata key of the record that is also one of ours: written once, the record's.
  setField(r.metadata_extra, "level", JsonValue("as the source said"));
  setField(r.system_info, "container_id", JsonValue("3f4e5d6c7b8a"));
  Event e(serialized(r));
  CHECK(e.str("/metadata/call_location/file") == "api.py");
  CHECK(e.str("/metadata/error_details/occured_at") == "2023-05-20T14:30:22");
  CHECK(e.str("/metadata/level") == "as the source said");
  CHECK(e.str("/source/containerID") == "3f4e5d6c7b8a");
}

TEST_CASE("USHS event of a record without error_id or error_type (written by an older version)",
          "[transports][ushs]") {
  const std::string old = R"({"timestamp":"2023-05-20T14:30:22Z","service":"s","level":"WARNING",)"
                          R"("message":"x","response_info":{"status_code":404},)"
                          R"("metadata":{"source":{"path":"/l","offset":0},"format":"text"}})";
  Event e(old);
  CHECK(e.str("/error/type") == "HTTP404");
  CHECK(e.str("/severity") == "medium");
  // The id is named after the record's text: stable, and different for another record.
  CHECK(e.str("/id") == Event(old).str("/id"));
  std::string other = old;
  other.replace(other.find("\"x\""), 3, "\"y\"");
  CHECK(Event(other).str("/id") != e.str("/id"));
  CHECK(e.str("/id").size() == 36);

  Event typed(R"({"timestamp":"2023-05-20T14:30:22Z","level":"ERROR","exception_type":"E"})");
  CHECK(typed.str("/error/type") == "E");
}

TEST_CASE("USHS event: frames keep the USHS types, their other keys beside", "[transports][ushs]") {
  Event e(R"({"timestamp":"2023-05-20T14:30:22Z","level":"ERROR","error_type":"E",)"
          R"("error_details":{"message":"m","detailed_frames":[)"
          R"({"file":"a.go","line":"12","function":7,"in_app":true},)"
          R"({"file":"b.go","line":3,"function":"main.run","locals":{"n":1}}]}})");
  CHECK(e.str("/error/stackTrace/0/file") == "a.go");
  CHECK_FALSE(e.has("/error/stackTrace/0/line"));
  CHECK_FALSE(e.has("/error/stackTrace/0/function"));
  CHECK(e.root.at_pointer("/error/stackTrace/0/in_app").is_bool());
  CHECK(e.integer("/error/stackTrace/1/locals/n") == 1);
  CHECK(e.str("/source/location") == "b.go:3 in main.run");
}

TEST_CASE("USHS encoder refuses what is not a record, and leaves the output alone",
          "[transports][ushs]") {
  UshsEncoder encoder;
  for (const std::string bad :
       {"", "not json", "[1,2]", "\"text\"", "{}", "{\"timestamp\":7}",
        "{\"timestamp\":\"2023-05-20T14:30:22Z\"", "{\"timestamp\":\"\xff\"}"}) {
    INFO(bad);
    std::string out = "kept";
    std::string error;
    CHECK_FALSE(encoder.encode(bad, out, error));
    CHECK(out == "kept");
    CHECK_FALSE(error.empty());
  }
  // The encoder is reusable after a failure.
  std::string out, error;
  CHECK(encoder.encode(serialized(fullRecord()), out, error));
}

TEST_CASE("USHS encoder appends one event after another into the same buffer",
          "[transports][ushs]") {
  UshsEncoder encoder;
  std::string out, error;
  REQUIRE(encoder.encode(serialized(fullRecord()), out, error));
  const size_t first = out.size();
  REQUIRE(encoder.encode(serialized(plainRecord(Level::kError)), out, error));
  dom::parser parser;
  dom::element a, b;
  REQUIRE(parser.parse(out.substr(0, first)).get(a) == simdjson::SUCCESS);
  CHECK(std::string(a["severity"].get_string().value()) == "high");
  dom::parser parser2;
  REQUIRE(parser2.parse(out.substr(first)).get(b) == simdjson::SUCCESS);
  CHECK(std::string(b["source"]["service"].get_string().value()) == "worker");
}

}  // namespace
}  // namespace homeo
