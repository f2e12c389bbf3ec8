#include "parsers/correlation.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "parse_helpers.h"

namespace homeo {
namespace {

using test::parseAs;
using test::str;

constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kSpan = "00f067aa0ba902b7";

ErrorRecord json(const std::string& line) {
  test::Parsed p = parseAs("json", line);
  REQUIRE(p.status == ParseStatus::kRecord);
  return p.record;
}

}  // namespace

TEST_CASE("correlation: traceparent is validated", "[correlation]") {
  const std::string good = "00-" + std::string(kTrace) + "-" + std::string(kSpan) + "-01";
  auto ids = correlation::parseTraceparent(good);
  REQUIRE(ids);
  CHECK(ids->trace_id == kTrace);
  CHECK(ids->span_id == kSpan);
  // A later version may append fields; version 00 may not.
  CHECK(correlation::parseTraceparent("01-" + std::string(kTrace) + "-" + std::string(kSpan) +
                                      "-01-extra"));
  CHECK_FALSE(correlation::parseTraceparent(good + "-extra"));
  CHECK_FALSE(correlation::parseTraceparent(""));
  CHECK_FALSE(correlation::parseTraceparent("00-abc-def-01"));
  CHECK_FALSE(correlation::parseTraceparent("ff-" + std::string(kTrace) + "-" + std::string(kSpan) +
                                            "-01"));  // invalid version
  CHECK_FALSE(correlation::parseTraceparent("00-00000000000000000000000000000000-" +
                                            std::string(kSpan) + "-01"));  // zero trace id
  CHECK_FALSE(correlation::parseTraceparent("00-" + std::string(kTrace) +
                                            "-0000000000000000-01"));  // zero span id
  CHECK_FALSE(correlation::parseTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-" +
                                            std::string(kSpan) + "-01"));  // uppercase
  CHECK_FALSE(correlation::parseTraceparent("00-" + std::string(kTrace) + "-" + std::string(kSpan) +
                                            "-zz"));  // flags
  CHECK_FALSE(correlation::parseTraceparent("00_" + std::string(kTrace) + "_" + std::string(kSpan) +
                                            "_01"));
}

TEST_CASE("correlation: ids, names and keys", "[correlation]") {
  CHECK(correlation::isTraceId(kTrace));
  CHECK(correlation::isTraceId("5f1c2a9b3e4d6f70"));
  CHECK(correlation::isTraceId("1234567890123456789"));  // Datadog, decimal
  CHECK(correlation::isTraceId("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"));
  CHECK_FALSE(correlation::isTraceId(""));
  CHECK_FALSE(correlation::isTraceId("0000000000000000"));
  CHECK_FALSE(correlation::isTraceId("not-a-trace"));
  CHECK_FALSE(correlation::isTraceId("abc"));  // too short for hex
  CHECK_FALSE(correlation::isTraceId(std::string(65, 'a')));
  CHECK(correlation::isName("1.4.2"));
  CHECK(correlation::isName("production"));
  CHECK_FALSE(correlation::isName(""));
  CHECK_FALSE(correlation::isName("two\nlines"));
  CHECK_FALSE(correlation::isName(std::string(201, 'x')));

  CHECK(correlation::keyOf("release").field == correlation::Field::kRelease);
  CHECK(correlation::keyOf("service.version").rank < correlation::keyOf("version").rank);
  CHECK(correlation::keyOf("dd.trace_id").field == correlation::Field::kTraceId);
  CHECK(correlation::keyOf("deployment.environment").field == correlation::Field::kEnvironment);
  CHECK(correlation::keyOf("message").field == correlation::Field::kNone);
  CHECK(correlation::keyOf("traceID").field == correlation::Field::kTraceId);
  CHECK(correlation::keyOf("spanID").field == correlation::Field::kSpanId);
}

TEST_CASE("correlation: release and environment from each JSON field form", "[correlation][json]") {
  SECTION("release, environment") {
    const ErrorRecord r =
        json(R"({"level":"error","message":"boom","release":"1.4.2","environment":"production"})");
    CHECK(r.release == "1.4.2");
    CHECK(r.environment == "production");
    CHECK_FALSE(findField(r.context, "release"));
    CHECK_FALSE(findField(r.context, "environment"));
  }
  SECTION("version, env") {
    const ErrorRecord r =
        json(R"({"level":"error","msg":"boom","version":"2.0.1","env":"staging","user":"u1"})");
    CHECK(r.release == "2.0.1");
    CHECK(r.environment == "staging");
    CHECK_FALSE(findField(r.context, "version"));
    CHECK_FALSE(findField(r.context, "env"));
    CHECK(str(r.context, "user") == "u1");
  }
  SECTION("nested service.version (ECS, OpenTelemetry) and deployment.environment") {
    const ErrorRecord r = json(
        R"({"log.level":"error","message":"boom","service":{"name":"checkout","version":"3.1.0"},)"
        R"("deployment":{"environment":"prod-eu"}})");
    CHECK(r.service == "checkout");
    CHECK(r.release == "3.1.0");
    CHECK(r.environment == "prod-eu");
    CHECK_FALSE(findField(r.context, "service"));
    CHECK_FALSE(findField(r.context, "deployment"));
  }
  SECTION("dotted keys service.version and deployment.environment") {
    const ErrorRecord r = json(
        R"({"level":"error","message":"boom","service.name":"checkout","service.version":"3.1.0",)"
        R"("deployment.environment":"prod"})");
    CHECK(r.release == "3.1.0");
    CHECK(r.environment == "prod");
    CHECK_FALSE(findField(r.context, "service.version"));
    CHECK_FALSE(findField(r.context, "deployment.environment"));
  }
  SECTION("release outranks version") {
    const ErrorRecord r =
        json(R"({"level":"error","message":"boom","version":"v1","release":"r2"})");
    CHECK(r.release == "r2");
  }
  SECTION("a version that is no name stays in context") {
    const ErrorRecord r = json(R"({"level":"error","message":"boom","version":3})");
    CHECK(r.release.empty());
    CHECK(findField(r.context, "version"));
  }
  SECTION("GELF's version is GELF's") {
    const ErrorRecord r =
        json(R"({"version":"1.1","host":"web-1","short_message":"boom","level":3})");
    CHECK(r.release.empty());
    CHECK(str(r.context, "version") == "1.1");
  }
}

TEST_CASE("correlation: trace and span ids from each JSON dialect", "[correlation][json]") {
  SECTION("OpenTelemetry trace_id/span_id") {
    const ErrorRecord r =
        json(R"({"level":"error","message":"boom","trace_id":")" + std::string(kTrace) +
             R"(","span_id":")" + std::string(kSpan) + R"(","trace_flags":"01"})");
    CHECK(r.trace_id == kTrace);
    CHECK(r.span_id == kSpan);
    CHECK_FALSE(findField(r.context, "trace_id"));
    CHECK_FALSE(findField(r.context, "span_id"));
    CHECK(str(r.context, "trace_flags") == "01");
  }
  SECTION("traceId/spanId") {
    const ErrorRecord r =
        json(R"({"level":"ERROR","message":"boom","traceId":")" + std::string(kTrace) +
             R"(","spanId":")" + std::string(kSpan) + R"("})");
    CHECK(r.trace_id == kTrace);
    CHECK(r.span_id == kSpan);
    CHECK(r.context.empty());
  }
  SECTION("Jaeger traceID/spanID") {
    const ErrorRecord r =
        json(R"({"level":"error","msg":"boom","traceID":")" + std::string(kTrace) +
             R"(","spanID":")" + std::string(kSpan) + R"("})");
    CHECK(r.trace_id == kTrace);
    CHECK(r.span_id == kSpan);
  }
  SECTION("otel.trace_id, dotted and nested") {
    const ErrorRecord dotted =
        json(R"({"level":"error","message":"boom","otel.trace_id":")" + std::string(kTrace) +
             R"(","otel.span_id":")" + std::string(kSpan) + R"("})");
    CHECK(dotted.trace_id == kTrace);
    CHECK(dotted.span_id == kSpan);
    const ErrorRecord nested =
        json(R"({"level":"error","message":"boom","otel":{"trace_id":")" + std::string(kTrace) +
             R"(","span_id":")" + std::string(kSpan) + R"("}})");
    CHECK(nested.trace_id == kTrace);
    CHECK(nested.span_id == kSpan);
    CHECK_FALSE(findField(nested.context, "otel"));
  }
  SECTION("Datadog dd.trace_id, dotted, nested, as numbers") {
    const ErrorRecord dotted =
        json(R"({"status":"error","message":"boom","dd.trace_id":"1234567890123456789",)"
             R"("dd.span_id":"987654321987654321","dd.env":"prod","dd.version":"5.0.0"})");
    CHECK(dotted.trace_id == "1234567890123456789");
    CHECK(dotted.span_id == "987654321987654321");
    CHECK(dotted.environment == "prod");
    CHECK(dotted.release == "5.0.0");
    const ErrorRecord nested =
        json(R"({"level":"error","message":"boom","dd":{"trace_id":1234567890123456789,)"
             R"("span_id":"987654321987654321","service":"web"}})");
    CHECK(nested.trace_id == "1234567890123456789");
    CHECK(nested.span_id == "987654321987654321");
    // What dd holds besides stays in context.
    const JsonValue* dd = findField(nested.context, "dd");
    REQUIRE(dd);
    REQUIRE(dd->asObject());
    CHECK(str(*dd->asObject(), "service") == "web");
    CHECK_FALSE(findField(*dd->asObject(), "trace_id"));
  }
  SECTION("ECS trace.id and span.id") {
    const ErrorRecord r =
        json(R"({"log.level":"error","message":"boom","trace":{"id":")" + std::string(kTrace) +
             R"("},"span":{"id":")" + std::string(kSpan) + R"("}})");
    CHECK(r.trace_id == kTrace);
    CHECK(r.span_id == kSpan);
  }
  SECTION("W3C traceparent") {
    const ErrorRecord r = json(R"({"level":"error","message":"boom","traceparent":"00-)" +
                               std::string(kTrace) + "-" + std::string(kSpan) + R"(-01"})");
    CHECK(r.trace_id == kTrace);
    CHECK(r.span_id == kSpan);
    CHECK_FALSE(findField(r.context, "traceparent"));
  }
  SECTION("an invalid traceparent is ignored and kept in context") {
    const ErrorRecord r =
        json(R"({"level":"error","message":"boom","traceparent":"00-xyz-00f067aa0ba902b7-01"})");
    CHECK(r.trace_id.empty());
    CHECK(r.span_id.empty());
    CHECK(str(r.context, "traceparent") == "00-xyz-00f067aa0ba902b7-01");
  }
  SECTION("an id that is no id is kept in context") {
    const ErrorRecord r = json(R"({"level":"error","message":"boom","trace_id":"n/a"})");
    CHECK(r.trace_id.empty());
    CHECK(str(r.context, "trace_id") == "n/a");
  }
  SECTION("trace_id outranks traceparent") {
    const ErrorRecord r = json(R"({"level":"error","message":"boom","trace_id":"5f1c2a9b3e4d6f70",)"
                               R"("traceparent":"00-)" +
                               std::string(kTrace) + "-" + std::string(kSpan) + R"(-01"})");
    CHECK(r.trace_id == "5f1c2a9b3e4d6f70");
    CHECK(r.span_id == kSpan);
  }
}

TEST_CASE("correlation: logfmt lines", "[correlation][logfmt]") {
  const test::Parsed p =
      parseAs("logfmt", "level=error msg=\"payment failed\" version=1.2.3 env=prod trace_id=" +
                            std::string(kTrace) + " span_id=" + std::string(kSpan) + " user=42");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.release == "1.2.3");
  CHECK(p.record.environment == "prod");
  CHECK(p.record.trace_id == kTrace);
  CHECK(p.record.span_id == kSpan);
  CHECK_FALSE(findField(p.record.context, "version"));
  CHECK_FALSE(findField(p.record.context, "trace_id"));
  CHECK(str(p.record.context, "user") == "42");

  const test::Parsed bad =
      parseAs("logfmt", "level=error msg=x traceparent=00-bad-bad-01 dd.trace_id=123456789");
  REQUIRE(bad.status == ParseStatus::kRecord);
  CHECK(bad.record.trace_id == "123456789");
  CHECK(bad.record.span_id.empty());
  CHECK(str(bad.record.context, "traceparent") == "00-bad-bad-01");
}

TEST_CASE("correlation: Spring Sleuth and Boot 3 headers", "[correlation][java]") {
  SECTION("Sleuth [app,trace,span]") {
    const test::Parsed p = parseAs(
        "java",
        "2024-01-01 10:00:00.123 ERROR [checkout,5f1c2a9b3e4d6f70,5f1c2a9b3e4d6f70] 1234 --- "
        "[nio-8080-exec-1] c.e.Foo : msg");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.trace_id == "5f1c2a9b3e4d6f70");
    CHECK(p.record.span_id == "5f1c2a9b3e4d6f70");
    CHECK(p.record.message == "msg");
    CHECK(str(p.record.context, "thread") == "nio-8080-exec-1");
    CHECK_FALSE(findField(p.record.context, "trace_id"));
  }
  SECTION("Sleuth [app,trace,span,export]") {
    const test::Parsed p = parseAs(
        "java",
        "2024-01-01 10:00:00.123 ERROR [checkout,5f1c2a9b3e4d6f70,a1b2c3d4e5f60718,true] 1234 "
        "--- [nio-8080-exec-1] c.e.Foo : msg");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.trace_id == "5f1c2a9b3e4d6f70");
    CHECK(p.record.span_id == "a1b2c3d4e5f60718");
  }
  SECTION("Boot 3 [app,traceId,spanId] with 128-bit trace ids") {
    const test::Parsed p =
        parseAs("java", "2024-01-01 10:00:00.123 ERROR [checkout," + std::string(kTrace) + "," +
                            std::string(kSpan) + "] 1234 --- [nio-8080-exec-1] c.e.Foo : msg");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.trace_id == kTrace);
    CHECK(p.record.span_id == kSpan);
  }
  SECTION("Boot 3.2 [traceId-spanId] after the thread") {
    const test::Parsed p =
        parseAs("java", "2024-01-02T15:04:05.456Z ERROR 4242 --- [shop] [nio-8080-exec-2] [" +
                            std::string(kTrace) + "-" + std::string(kSpan) + "] c.e.Foo : failed");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.trace_id == kTrace);
    CHECK(p.record.span_id == kSpan);
  }
  SECTION("no trace open: blank ids") {
    const test::Parsed p =
        parseAs("java", "2024-01-01 10:00:00.123 ERROR [checkout,,] 1234 --- [main] c.e.Foo : msg");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.trace_id.empty());
    CHECK(p.record.span_id.empty());
    CHECK(str(p.record.context, "thread") == "main");
    CHECK(p.record.module == "c.e.Foo");
  }
  SECTION("the bracket API") {
    auto ids = correlation::parseSpringBracket("app,5f1c2a9b3e4d6f70,a1b2c3d4e5f60718,false");
    REQUIRE(ids);
    CHECK(ids->trace_id == "5f1c2a9b3e4d6f70");
    CHECK(ids->span_id == "a1b2c3d4e5f60718");
    CHECK_FALSE(correlation::parseSpringBracket("nio-8080-exec-1"));
    CHECK_FALSE(correlation::parseSpringBracket("main"));
  }
}

TEST_CASE("correlation: the config's release and environment, the line's winning",
          "[correlation][source]") {
  SourceInfo info;
  info.release = "config-1.0";
  info.environment = "config-env";
  const auto records = test::readSource(
                           {
                               R"({"level":"error","message":"a"})",
                               R"({"level":"error","message":"b","version":"line-2.0"})",
                               R"({"level":"error","message":"c","env":"line-env"})",
                           },
                           info)
                           .records;
  REQUIRE(records.size() == 3);
  CHECK(records[0].release == "config-1.0");
  CHECK(records[0].environment == "config-env");
  CHECK(records[1].release == "line-2.0");
  CHECK(records[1].environment == "config-env");
  CHECK(records[2].release == "config-1.0");
  CHECK(records[2].environment == "line-env");

  std::string out;
  serializeRecord(records[1], out);
  CHECK(out.find(R"("release":"line-2.0","environment":"config-env")") != std::string::npos);

  // Without config or line values, the keys are absent.
  const auto bare = test::readSource({R"({"level":"error","message":"a"})"}).records;
  REQUIRE(bare.size() == 1);
  out.clear();
  serializeRecord(bare[0], out);
  CHECK(out.find("\"release\"") == std::string::npos);
  CHECK(out.find("\"trace_id\"") == std::string::npos);
}

}  // namespace homeo
