#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/record.h"

// What ties a record to a release, a deployment and a distributed trace, read from the fields
// and headers of the common dialects, in one place for every parser:
// - release: `release`, `service.version` (ECS, OpenTelemetry), `version`, `dd.version`;
// - environment: `environment`, `deployment.environment` (OpenTelemetry), `service.environment`
//   (ECS), `env`, `dd.env`;
// - trace id: `trace_id`, `traceId`, `traceID` (Jaeger), `otel.trace_id`, `trace.id` (ECS),
//   `dd.trace_id`; span id: `span_id`, `spanId`, `spanID`, `otel.span_id`, `span.id`,
//   `dd.span_id`;
// - W3C `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`);
// - Spring's correlation bracket (Sleuth `[app,trace,span]`, `[app,trace,span,export]`, Boot 3
//   `[app,traceId,spanId]`, Boot 3.2 `[traceId-spanId]`).
// Values that are not what their field holds (an id that is no id, an invalid traceparent) are
// not taken: the parser keeps them where it keeps other fields.
namespace homeo::correlation {

enum class Field : uint8_t { kNone, kRelease, kEnvironment, kTraceId, kSpanId, kTraceparent };

// The field a key names (flat, or the dotted path of nested keys) and its rank among the keys
// of that field: of the keys a line has, the lowest rank wins ("release" over "version").
struct Key {
  Field field = Field::kNone;
  uint8_t rank = 0;
};

struct KnownKey {
  std::string_view path;
  Field field;
};

// In rank order within each field (see above).
inline constexpr KnownKey kKeys[] = {
    {"release", Field::kRelease},
    {"service.version", Field::kRelease},
    {"version", Field::kRelease},
    {"dd.version", Field::kRelease},
    {"environment", Field::kEnvironment},
    {"deployment.environment", Field::kEnvironment},
    {"service.environment", Field::kEnvironment},
    {"env", Field::kEnvironment},
    {"dd.env", Field::kEnvironment},
    {"trace_id", Field::kTraceId},
    {"traceId", Field::kTraceId},
    {"traceID", Field::kTraceId},  // Jaeger, Grafana
    {"otel.trace_id", Field::kTraceId},
    {"trace.id", Field::kTraceId},
    {"dd.trace_id", Field::kTraceId},
    {"span_id", Field::kSpanId},
    {"spanId", Field::kSpanId},
    {"spanID", Field::kSpanId},
    {"otel.span_id", Field::kSpanId},
    {"span.id", Field::kSpanId},
    {"dd.span_id", Field::kSpanId},
    {"traceparent", Field::kTraceparent},
};

constexpr Key keyOf(std::string_view path) {
  uint8_t rank = 0;
  Field last = Field::kNone;
  for (const KnownKey& k : kKeys) {
    rank = k.field == last ? static_cast<uint8_t>(rank + 1) : uint8_t{0};
    last = k.field;
    if (k.path == path) return {k.field, rank};
  }
  return {};
}

// Whether `s` can be a release or an environment name: 1 to 200 bytes, no control characters.
bool isName(std::string_view s);
// Trace ids: 8 to 64 hex digits (OpenTelemetry and W3C 32, B3 and Sleuth 16 or 32) or a
// decimal 64-bit number (Datadog), not all zeros; a UUID's dashes are allowed. Span ids the
// same.
bool isTraceId(std::string_view s);
bool isSpanId(std::string_view s);

struct TraceIds {
  std::string_view trace_id;
  std::string_view span_id;  // may be empty (a Sleuth bracket without a span)
};

// W3C Trace Context: version 00 with its exact shape, or a later version with at least that
// prefix; ids of hex digits in lowercase, not all zeros, version not ff.
std::optional<TraceIds> parseTraceparent(std::string_view s);

// The inside of Spring's correlation bracket: "app,trace,span", "app,trace,span,export",
// "trace-span"; "app,," (no trace open) gives empty ids. nullopt when it is something else (a
// thread name).
std::optional<TraceIds> parseSpringBracket(std::string_view inside);

// Sets the record's trace and span ids when they are valid (each on its own).
void setTraceIds(ErrorRecord& r, std::string_view trace_id, std::string_view span_id);

// Gathers the correlation fields of one line's keys, the best-ranked key of each field
// winning, then sets them on the record. Reused from line to line.
class Collector {
 public:
  void clear();
  // Whether key names a correlation field and value is valid for it (then the caller drops
  // the pair from the record's context).
  bool offer(std::string_view path, std::string_view value);
  // Writes what was gathered; a traceparent fills the trace and span ids that no field of
  // their own named.
  void apply(ErrorRecord& r) const;

 private:
  static constexpr size_t kFields = 6;
  std::array<std::string, kFields> values_;
  std::array<uint8_t, kFields> ranks_{};
};

}  // namespace homeo::correlation
