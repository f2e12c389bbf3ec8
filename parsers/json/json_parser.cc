#include "parsers/json/json_parser.h"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "parsers/correlation.h"
#include "parsers/json/record_fields.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

using json_fields::toJsonValue;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Lines longer than this are not parsed (the DOM needs several times the line's size).
constexpr size_t kMaxLineBytes = 16u << 20;
// Scratch space kept between lines; a longer line's buffers are freed after its parse.
constexpr size_t kKeepBytes = 1u << 20;
constexpr size_t kInitialCapacity = 64u << 10;
// Dotted paths longer than this cannot be aliases.
constexpr size_t kMaxPath = 48;
// ECS containers nest at most three deep (http.response.status_code).
constexpr int kMaxContainerDepth = 3;

enum class Role : uint8_t {
  kNone,  // a container of aliased keys only ("http", "req")
  kLevel,
  kMessage,           // the event's text
  kExceptionMessage,  // the exception's own message, when an error object names it apart
  kTime,
  kModule,
  kStack,
  kExceptionType,
  kMethod,
  kPath,
  kStatus,
  kClientIp,
  kUserAgent,
  kRequestId,
  kDuration,
  // Parts of the record a line may carry in the record's own shape (Homeostasis' logger).
  kService,
  kTags,
  kErrorDetails,
  kRequestInfo,
  kResponseInfo,
  kSystemInfo,
  kCallLocation,
  kContext,
  // What ties the record to a release, a deployment and a trace (parsers/correlation.h).
  kRelease,
  kEnvironment,
  kTraceId,
  kSpanId,
  kTraceparent,
  kCount,
};
constexpr size_t kRoleCount = static_cast<size_t>(Role::kCount);

enum AliasFlag : uint8_t {
  kContainer = 1,    // an object value holds aliased keys ("log" → "log.level")
  kPythonLevel = 2,  // numeric level in Python's scale (levelno)
};

struct Alias {
  std::string_view path;  // key, or dotted path of nested keys
  Role role;
  uint8_t flags = 0;
};

// In priority order within each role: of the aliases a line has, the first listed wins.
constexpr Alias kAliasList[] = {
    // level
    {"level", Role::kLevel},
    {"levelname", Role::kLevel},
    {"severity", Role::kLevel},
    {"log.level", Role::kLevel},
    {"lvl", Role::kLevel},
    {"loglevel", Role::kLevel},
    {"@l", Role::kLevel},
    {"level_name", Role::kLevel},
    {"levelno", Role::kLevel, kPythonLevel},
    {"PRIORITY", Role::kLevel},  // journald (journalctl -o json): "3"
    // message
    {"message", Role::kMessage},
    {"msg", Role::kMessage},
    {"@m", Role::kMessage},
    {"@mt", Role::kMessage},  // Serilog's template, when the rendered @m is absent
    {"event", Role::kMessage},
    {"log", Role::kMessage, kContainer},  // docker json-file; an object in ECS
    {"text", Role::kMessage},
    {"short_message", Role::kMessage},  // GELF
    {"MESSAGE", Role::kMessage},        // journald
    // the exception's message (ECS, pino/bunyan err, logstash log4j layout)
    {"error.message", Role::kExceptionMessage},
    {"err.message", Role::kExceptionMessage},
    {"exception.message", Role::kExceptionMessage},
    {"exception.exception_message", Role::kExceptionMessage},
    // time
    {"timestamp", Role::kTime},
    {"time", Role::kTime},
    {"ts", Role::kTime},
    {"@timestamp", Role::kTime},
    {"@t", Role::kTime},
    {"asctime", Role::kTime},
    {"datetime", Role::kTime},
    {"date", Role::kTime},
    {"__REALTIME_TIMESTAMP", Role::kTime},  // journald, microseconds
    // module
    {"logger", Role::kModule, kContainer},
    {"logger_name", Role::kModule},
    {"name", Role::kModule},
    {"module", Role::kModule},
    {"component", Role::kModule},
    {"loggerName", Role::kModule},
    {"logger.name", Role::kModule},
    {"log.logger", Role::kModule},
    {"SourceContext", Role::kModule},      // Serilog
    {"SYSLOG_IDENTIFIER", Role::kModule},  // journald
    // exception / stack trace
    {"exc_info", Role::kStack},
    {"exception", Role::kStack, kContainer},
    {"stack_trace", Role::kStack},
    {"stacktrace", Role::kStack},
    {"stack", Role::kStack},
    {"error.stack_trace", Role::kStack},
    {"@x", Role::kStack},
    {"err", Role::kStack, kContainer},    // logrus, zap: a string; pino, bunyan: an object
    {"error", Role::kStack, kContainer},  // a string, or the ECS error.* object
    {"exc_text", Role::kStack},
    {"traceback", Role::kStack},
    {"err.stack", Role::kStack},
    {"error.stack", Role::kStack},
    {"exception.stacktrace", Role::kStack},
    {"exception.stack_trace", Role::kStack},
    {"exception.stack", Role::kStack},
    {"full_message", Role::kStack},  // GELF
    // exception type
    {"error.type", Role::kExceptionType},
    {"exception_type", Role::kExceptionType},
    {"exc_type", Role::kExceptionType},
    {"error.kind", Role::kExceptionType},
    {"err.type", Role::kExceptionType},
    {"err.name", Role::kExceptionType},
    {"error.name", Role::kExceptionType},
    {"exception.type", Role::kExceptionType},
    {"exception.class", Role::kExceptionType},
    {"exception.exception_class", Role::kExceptionType},
    // request
    {"method", Role::kMethod},
    {"http.request.method", Role::kMethod},
    {"req.method", Role::kMethod},
    {"http.method", Role::kMethod},
    {"request.method", Role::kMethod},
    {"path", Role::kPath},
    {"url", Role::kPath, kContainer},
    {"url.path", Role::kPath},
    {"req.url", Role::kPath},
    {"http.url", Role::kPath},
    {"request.path", Role::kPath},
    {"request.uri", Role::kPath},
    {"url.original", Role::kPath},
    {"status_code", Role::kStatus},
    {"status", Role::kStatus},
    {"http.response.status_code", Role::kStatus},
    {"res.statusCode", Role::kStatus},
    {"statusCode", Role::kStatus},
    {"http.status_code", Role::kStatus},
    {"response.status_code", Role::kStatus},
    {"response.status", Role::kStatus},
    {"remote_addr", Role::kClientIp},
    {"client_ip", Role::kClientIp},
    {"ip", Role::kClientIp},
    {"client.ip", Role::kClientIp},
    {"req.remoteAddress", Role::kClientIp},
    {"remoteAddress", Role::kClientIp},
    {"http.client_ip", Role::kClientIp},
    {"user_agent", Role::kUserAgent, kContainer},
    {"user_agent.original", Role::kUserAgent},
    {"http.user_agent", Role::kUserAgent},
    {"userAgent", Role::kUserAgent},
    {"request_id", Role::kRequestId},
    {"req_id", Role::kRequestId},
    {"requestId", Role::kRequestId},
    {"req.id", Role::kRequestId},
    {"http.request.id", Role::kRequestId},
    {"duration_ms", Role::kDuration},
    {"latency_ms", Role::kDuration},
    {"responseTime", Role::kDuration},  // pino-http, milliseconds
    {"response_time_ms", Role::kDuration},
    {"elapsed_ms", Role::kDuration},
    // the record's own parts
    {"service", Role::kService, kContainer},  // a name, or ECS's service object
    {"service.name", Role::kService},
    {"tags", Role::kTags},
    {"error_details", Role::kErrorDetails},
    {"request_info", Role::kRequestInfo},
    {"response_info", Role::kResponseInfo},
    {"system_info", Role::kSystemInfo},
    {"call_location", Role::kCallLocation},
    {"context", Role::kContext},
    // release, environment, trace (the keys of parsers/correlation.h, in its order)
    {"release", Role::kRelease},
    {"service.version", Role::kRelease},
    {"version", Role::kRelease},
    {"dd.version", Role::kRelease},
    {"environment", Role::kEnvironment},
    {"deployment.environment", Role::kEnvironment},
    {"service.environment", Role::kEnvironment},
    {"env", Role::kEnvironment},
    {"dd.env", Role::kEnvironment},
    {"trace_id", Role::kTraceId},
    {"traceId", Role::kTraceId},
    {"traceID", Role::kTraceId},
    {"otel.trace_id", Role::kTraceId},
    {"trace.id", Role::kTraceId},
    {"dd.trace_id", Role::kTraceId},
    {"span_id", Role::kSpanId},
    {"spanId", Role::kSpanId},
    {"spanID", Role::kSpanId},
    {"otel.span_id", Role::kSpanId},
    {"span.id", Role::kSpanId},
    {"dd.span_id", Role::kSpanId},
    {"traceparent", Role::kTraceparent},
    // containers only
    {"dd", Role::kNone, kContainer},  // Datadog: dd.trace_id, dd.span_id, dd.env, dd.version
    {"otel", Role::kNone, kContainer},
    {"deployment", Role::kNone, kContainer},
    {"trace", Role::kNone, kContainer},  // ECS trace.id
    {"span", Role::kNone, kContainer},   // ECS span.id
    {"http", Role::kNone, kContainer},
    {"http.request", Role::kNone, kContainer},
    {"http.response", Role::kNone, kContainer},
    {"req", Role::kNone, kContainer},
    {"res", Role::kNone, kContainer},
    {"client", Role::kNone, kContainer},
    {"request", Role::kNone, kContainer},
    {"response", Role::kNone, kContainer},
};
constexpr size_t kAliasCount = std::size(kAliasList);
static_assert(kAliasCount < 0xff, "priorities are uint8_t, 0xff meaning none");

// Length and five bytes: cheap, and enough to spread the alias paths (kMaxProbe checks).
constexpr uint32_t hashPath(std::string_view s) {
  const size_t n = s.size();
  if (n == 0) return 0;
  const size_t picks[] = {0, n > 1 ? size_t{1} : size_t{0}, n / 2, n > 1 ? n - 2 : 0, n - 1};
  uint32_t h = static_cast<uint32_t>(n);
  for (size_t i : picks) h = h * 131 + static_cast<uint8_t>(s[i]);
  return (h * 0x9E3779B1u) >> 16;
}

// Open-addressing hash table of kAliasList indexes (0xff = empty): one hash and, for aliased
// keys only, one comparison per key of a line.
constexpr size_t kTableSize = 1024;
static_assert(kTableSize >= 4 * kAliasCount, "keep the table sparse");
constexpr auto kAliasTable = [] {
  std::array<uint8_t, kTableSize> t{};
  for (auto& e : t) e = 0xff;
  for (size_t i = 0; i < kAliasCount; ++i) {
    size_t slot = hashPath(kAliasList[i].path) & (kTableSize - 1);
    while (t[slot] != 0xff) slot = (slot + 1) & (kTableSize - 1);
    t[slot] = static_cast<uint8_t>(i);
  }
  return t;
}();

// The most slots a lookup of an alias walks (keys that are no alias stop at an empty slot).
constexpr size_t kMaxProbe = [] {
  size_t longest = 0;
  for (size_t i = 0; i < kAliasCount; ++i) {
    size_t slot = hashPath(kAliasList[i].path) & (kTableSize - 1);
    size_t n = 1;
    while (kAliasTable[slot] != i) {
      slot = (slot + 1) & (kTableSize - 1);
      ++n;
    }
    longest = n > longest ? n : longest;
  }
  return longest;
}();
static_assert(kMaxProbe <= 3, "alias hash clusters: change hashPath");

constexpr bool aliasesUnique() {
  for (size_t i = 0; i < kAliasCount; ++i) {
    for (size_t j = i + 1; j < kAliasCount; ++j) {
      if (kAliasList[i].path == kAliasList[j].path) return false;
    }
  }
  return true;
}
static_assert(aliasesUnique(), "an alias path is listed twice");

constexpr correlation::Field fieldOf(Role r) {
  switch (r) {
    case Role::kRelease:
      return correlation::Field::kRelease;
    case Role::kEnvironment:
      return correlation::Field::kEnvironment;
    case Role::kTraceId:
      return correlation::Field::kTraceId;
    case Role::kSpanId:
      return correlation::Field::kSpanId;
    case Role::kTraceparent:
      return correlation::Field::kTraceparent;
    default:
      return correlation::Field::kNone;
  }
}

// The correlation aliases are correlation::kKeys, in the same order, so that every parser
// reads the same keys with the same precedence.
constexpr bool correlationKeysMatch() {
  size_t n = 0;
  for (const Alias& a : kAliasList) {
    if (fieldOf(a.role) == correlation::Field::kNone) continue;
    if (n >= std::size(correlation::kKeys)) return false;
    const correlation::KnownKey& k = correlation::kKeys[n++];
    if (k.path != a.path || k.field != fieldOf(a.role)) return false;
  }
  return n == std::size(correlation::kKeys);
}
static_assert(correlationKeysMatch(), "JSON correlation aliases differ from correlation::kKeys");

const Alias* findAlias(std::string_view path) {
  size_t slot = hashPath(path) & (kTableSize - 1);
  while (true) {
    const uint8_t i = kAliasTable[slot];
    if (i == 0xff) return nullptr;
    if (kAliasList[i].path == path) return &kAliasList[i];
    slot = (slot + 1) & (kTableSize - 1);
  }
}

std::optional<Level> levelFromNumber(int64_t n, uint8_t flags) {
  if (flags & kPythonLevel) return levelFromPythonNumber(n);
  // Syslog severities (GELF, some Go loggers), Google Cloud's 100..800, else bunyan/pino.
  if (n >= 0 && n <= 7) return levelFromSyslogSeverity(static_cast<int>(n));
  if (n >= 100 && n <= 800 && n % 100 == 0) {
    if (n <= 100) return Level::kDebug;
    if (n <= 300) return Level::kInfo;
    if (n == 400) return Level::kWarning;
    if (n == 500) return Level::kError;
    return Level::kCritical;
  }
  return levelFromBunyanNumber(n);
}

std::optional<Level> levelFromWord(std::string_view s, uint8_t flags) {
  if (auto level = parseLevel(s)) return level;
  if (s.empty() || s.size() > 12) return std::nullopt;
  // Google Cloud's DEFAULT severity.
  if (s.size() == 7) {
    bool is_default = true;
    for (size_t i = 0; i < 7; ++i) {
      if ((s[i] & ~0x20) != "DEFAULT"[i]) is_default = false;
    }
    if (is_default) return Level::kInfo;
  }
  // A number written as a string ("50"), or a word with a sub-level ("DEBUG5").
  size_t digits_at = s.size();
  while (digits_at > 0 && s[digits_at - 1] >= '0' && s[digits_at - 1] <= '9') --digits_at;
  if (digits_at == s.size()) return std::nullopt;
  if (digits_at == 0) {
    int64_t n = 0;
    for (char c : s) n = n * 10 + (c - '0');
    return levelFromNumber(n, flags);
  }
  return parseLevel(s.substr(0, digits_at));
}

std::optional<Level> levelOf(element v, uint8_t flags) {
  switch (v.type()) {
    case element_type::STRING: {
      std::string_view s;
      if (v.get(s)) return std::nullopt;
      return levelFromWord(s, flags);
    }
    case element_type::INT64: {
      int64_t n = 0;
      if (v.get(n)) return std::nullopt;
      return levelFromNumber(n, flags);
    }
    case element_type::UINT64: {
      uint64_t n = 0;
      if (v.get(n) || n > 1000) return std::nullopt;
      return levelFromNumber(static_cast<int64_t>(n), flags);
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (v.get(d) || !(d >= 0 && d <= 1000)) return std::nullopt;
      return levelFromNumber(static_cast<int64_t>(d), flags);
    }
    default:
      return std::nullopt;
  }
}

// parseTimestamp, for the years UnixNanos can hold: toUnixNanos overflows outside
// 1678..2261, and Go writes its zero time as 0001-01-01T00:00:00Z.
std::optional<UnixNanos> timeFromString(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (s.size() - i >= 5 && (s[i + 4] == '-' || s[i + 4] == '/')) {
    int year = 0;
    for (size_t k = i; k < i + 4; ++k) {
      if (s[k] < '0' || s[k] > '9') return parseTimestamp(s);
      year = year * 10 + (s[k] - '0');
    }
    if (year < 1678 || year > 2261) return std::nullopt;
  }
  return parseTimestamp(s);
}

bool isNumber(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

std::optional<int64_t> statusCodeOf(element v) {
  int64_t n = -1;
  switch (v.type()) {
    case element_type::INT64:
      if (v.get(n)) return std::nullopt;
      break;
    case element_type::UINT64: {
      uint64_t u = 0;
      if (v.get(u) || u > 999) return std::nullopt;
      n = static_cast<int64_t>(u);
      break;
    }
    case element_type::STRING: {
      std::string_view s;
      if (v.get(s) || s.size() != 3) return std::nullopt;
      n = 0;
      for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
      }
      break;
    }
    default:
      return std::nullopt;
  }
  if (n < 100 || n > 599) return std::nullopt;
  return n;
}

// Whether v can serve the role (non-empty, of a usable type).
bool accepts(Role role, element v) {
  const element_type t = v.type();
  switch (role) {
    case Role::kMessage:
    case Role::kModule:
    case Role::kMethod:
    case Role::kPath:
    case Role::kClientIp:
    case Role::kUserAgent:
    case Role::kExceptionType:
    case Role::kExceptionMessage:
    case Role::kService: {
      std::string_view s;
      return t == element_type::STRING && !v.get(s) && !s.empty();
    }
    case Role::kTags: {
      array a;
      if (t != element_type::ARRAY || v.get(a) || a.size() == 0) return false;
      for (element e : a) {
        if (e.type() != element_type::STRING) return false;
      }
      return true;
    }
    case Role::kErrorDetails:
    case Role::kRequestInfo:
    case Role::kResponseInfo:
    case Role::kSystemInfo:
    case Role::kCallLocation:
    case Role::kContext:
      return t == element_type::OBJECT;
    case Role::kTime:
      return t == element_type::STRING || isNumber(t);
    case Role::kStack: {
      if (t == element_type::ARRAY) {
        array a;
        return !v.get(a) && a.size() > 0;
      }
      std::string_view s;
      return t == element_type::STRING && !v.get(s) && !s.empty();
    }
    case Role::kStatus:
      return statusCodeOf(v).has_value();
    case Role::kRequestId:
      return t == element_type::STRING || t == element_type::INT64 || t == element_type::UINT64;
    case Role::kDuration:
      return isNumber(t);
    case Role::kRelease:
    case Role::kEnvironment: {
      std::string_view s;
      return t == element_type::STRING && !v.get(s) && correlation::isName(s);
    }
    case Role::kTraceId:
    case Role::kSpanId: {
      // Datadog's ids may be written as numbers.
      if (int64_t i = 0; t == element_type::INT64 && !v.get(i)) return i > 0;
      if (t == element_type::UINT64) return true;
      std::string_view s;
      return t == element_type::STRING && !v.get(s) && correlation::isTraceId(s);
    }
    case Role::kTraceparent: {
      std::string_view s;
      return t == element_type::STRING && !v.get(s) && correlation::parseTraceparent(s);
    }
    default:
      return false;
  }
}

std::string_view stringOf(element v) {
  std::string_view s;
  if (v.get(s)) return {};
  return s;
}

// Skips a UTF-8 byte order mark and leading blanks.
std::string_view skipLead(std::string_view line) {
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.remove_prefix(3);
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return line.substr(i);
}

}  // namespace

class JsonParser::Impl {
 public:
  Impl() : dom_(kMaxLineBytes) { preallocate(); }

  // Parses line into the DOM; false if it is not one JSON object.
  bool load(std::string_view line, object& obj) {
    loaded_ = line.size();
    if (line.size() > kMaxLineBytes) return false;
    const size_t need = line.size() + simdjson::SIMDJSON_PADDING;
    if (buffer_capacity_ < need) {
      buffer_ = std::make_unique_for_overwrite<char[]>(need);
      buffer_capacity_ = need;
    }
    std::memcpy(buffer_.get(), line.data(), line.size());
    std::memset(buffer_.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    return !dom_.parse(buffer_.get(), line.size(), false).get(obj);
  }

  // Sizes the parser for common lines up front; it grows on demand for longer ones.
  void preallocate() {
    const simdjson::error_code err = dom_.allocate(kInitialCapacity);
    (void)err;  // without memory now, parse() allocates (or reports MEMALLOC) later
  }

  // Frees the scratch space a very long line made grow. Call when done with the line.
  void trim() {
    if (loaded_ <= kKeepBytes) return;
    dom_ = simdjson::dom::parser(kMaxLineBytes);
    preallocate();
    buffer_.reset();
    buffer_capacity_ = 0;
    loaded_ = 0;
  }

  void classify(object obj) {
    for (auto& c : best_) c = Candidate{};
    classifyFields(obj, nullptr, 0, 0);
  }

  bool has(Role r) const { return best_[static_cast<size_t>(r)].priority != 0xff; }
  bool hasLevel() const { return has(Role::kLevel); }
  bool hasMessage() const { return has(Role::kMessage); }

  ParseStatus parse(std::string_view line, Level min_level, ErrorRecord& out,
                    const JsonParser::ObjectOptions& options) {
    object obj;
    if (!load(skipLead(line), obj)) return ParseStatus::kNotMatched;
    classify(obj);
    if (options.need_message && !hasMessage() && !has(Role::kErrorDetails)) {
      return ParseStatus::kNotMatched;
    }
    const bool has_exception =
        has(Role::kStack) || has(Role::kExceptionType) || has(Role::kErrorDetails);
    Level level = has_exception ? Level::kError : Level::kInfo;
    if (options.level) {
      level = *options.level;
    } else if (hasLevel()) {
      level = get(Role::kLevel).level;
    }
    if (level < min_level) return ParseStatus::kBelowLevel;
    fill(obj, level, out);
    return ParseStatus::kRecord;
  }

  // Whether the object has Homeostasis' error-record shape: an error_details object, or
  // timestamp, service, level and message (the keys its logger always writes).
  bool hasRecordShape(std::string_view text) {
    object obj;
    if (!load(skipLead(text), obj)) return false;
    int seen = 0;
    for (auto field : obj) {
      if (field.key == "error_details") {
        if (field.value.type() == element_type::OBJECT) return true;
      } else if (field.key == "timestamp") {
        seen |= 1;
      } else if (field.key == "service") {
        seen |= 2;
      } else if (field.key == "level") {
        seen |= 4;
      } else if (field.key == "message") {
        seen |= 8;
      }
    }
    return seen == 15;
  }

 private:
  struct Candidate {
    element value;
    const char* key = nullptr;  // the field's identity: its key's bytes in the DOM
    uint8_t priority = 0xff;    // lower wins; 0xff = none
    Level level = Level::kInfo;
  };

  const Candidate& get(Role r) const { return best_[static_cast<size_t>(r)]; }

  void classifyFields(object obj, char* path, size_t path_len, int depth) {
    for (auto field : obj) {
      std::string_view full = field.key;
      if (depth > 0) {
        if (path_len + 1 + field.key.size() > kMaxPath) continue;
        path[path_len] = '.';
        std::memcpy(path + path_len + 1, field.key.data(), field.key.size());
        full = std::string_view(path, path_len + 1 + field.key.size());
      }
      const Alias* alias = findAlias(full);
      if (alias == nullptr) continue;
      if (alias->role != Role::kNone) record(*alias, field.key.data(), field.value);
      if ((alias->flags & kContainer) && depth + 1 < kMaxContainerDepth &&
          field.value.type() == element_type::OBJECT) {
        object child;
        if (field.value.get(child)) continue;
        char buf[kMaxPath];
        char* p = depth == 0 ? buf : path;
        if (depth == 0) std::memcpy(buf, full.data(), full.size());
        classifyFields(child, p, full.size(), depth + 1);
      }
    }
  }

  void record(const Alias& alias, const char* key, element value) {
    Candidate& c = best_[static_cast<size_t>(alias.role)];
    const auto priority = static_cast<uint8_t>(&alias - kAliasList);
    if (priority >= c.priority) return;
    if (alias.role == Role::kLevel) {
      const auto level = levelOf(value, alias.flags);
      if (!level) return;
      c.level = *level;
    } else if (!accepts(alias.role, value)) {
      return;
    }
    c.value = value;
    c.key = key;
    c.priority = priority;
  }

  void consume(Role r) { consumed_[consumed_count_++] = get(r).key; }

  bool isConsumed(const char* key) const {
    for (size_t i = 0; i < consumed_count_; ++i) {
      if (consumed_[i] == key) return true;
    }
    return false;
  }

  void fill(object obj, Level level, ErrorRecord& out) {
    consumed_count_ = 0;
    out.level = level;
    if (hasLevel()) consume(Role::kLevel);

    if (has(Role::kTime)) {
      const element v = get(Role::kTime).value;
      std::optional<UnixNanos> t;
      if (v.type() == element_type::STRING) {
        t = timeFromString(stringOf(v));
      } else if (int64_t n = 0; v.type() == element_type::INT64 && !v.get(n)) {
        t = epochIntegerToNanos(n);
      } else if (uint64_t u = 0; v.type() == element_type::UINT64 && !v.get(u)) {
        if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          t = epochIntegerToNanos(static_cast<int64_t>(u));
        }
      } else if (double d = 0; !v.get(d)) {
        t = epochToNanos(d);
      }
      if (t) {
        out.time = *t;
        consume(Role::kTime);
      }
    }

    // The event's text is the record's message until an exception names its own; then it is
    // kept as context.log_message (Homeostasis reads the exception's message in
    // error_details.message).
    std::string_view event;
    if (hasMessage()) {
      event = stringOf(get(Role::kMessage).value);
      if (!event.empty() && event.back() == '\n') event.remove_suffix(1);  // docker's "log"
      if (!event.empty() && event.back() == '\r') event.remove_suffix(1);
      out.message.assign(event);
      consume(Role::kMessage);
    }

    if (has(Role::kModule)) {
      out.module.assign(stringOf(get(Role::kModule).value));
      consume(Role::kModule);
    }
    if (has(Role::kService)) {
      out.service.assign(stringOf(get(Role::kService).value));
      consume(Role::kService);
    }
    if (has(Role::kTags)) {
      array a;
      if (!get(Role::kTags).value.get(a)) {
        for (element e : a) out.tags.emplace_back(stringOf(e));
      }
      consume(Role::kTags);
    }

    if (has(Role::kStack)) fillStack(out);

    // An explicit type and message outrank the ones read from the trace.
    if (has(Role::kExceptionType)) {
      out.exception_type.assign(stringOf(get(Role::kExceptionType).value));
      consume(Role::kExceptionType);
    }
    if (has(Role::kExceptionMessage)) {
      out.message.assign(stringOf(get(Role::kExceptionMessage).value));
      consume(Role::kExceptionMessage);
    }

    rejected_.clear();
    if (has(Role::kErrorDetails)) {
      object details;
      if (!get(Role::kErrorDetails).value.get(details)) {
        json_fields::readErrorDetails(details, out, rejected_);
      }
      consume(Role::kErrorDetails);
    }
    fillRequest(out);
    fillCorrelation(out);
    for (Role r : {Role::kRequestInfo, Role::kResponseInfo, Role::kSystemInfo, Role::kCallLocation,
                   Role::kContext}) {
      if (has(r)) consume(r);
    }
    appendContext(obj, out.context, 0);
    keepRejected("error_details", out);
    mergeSchemaObject(Role::kRequestInfo, json_fields::InfoKind::kRequest, "request_info",
                      out.request_info, out);
    mergeSchemaObject(Role::kResponseInfo, json_fields::InfoKind::kResponse, "response_info",
                      out.response_info, out);
    mergeSchemaObject(Role::kSystemInfo, json_fields::InfoKind::kSystem, "system_info",
                      out.system_info, out);
    if (has(Role::kCallLocation)) {
      JsonObject location;
      mergeSchemaObject(Role::kCallLocation, json_fields::InfoKind::kCallLocation, "call_location",
                        location, out);
      if (!location.empty()) setField(out.extra, "call_location", JsonValue(std::move(location)));
    }
    if (has(Role::kContext)) {
      // The line's own context: its keys join ours (and win over a top-level key of the same
      // name, being the line's context proper).
      object ctx;
      if (!get(Role::kContext).value.get(ctx)) {
        for (auto field : ctx) setField(out.context, field.key, toJsonValue(field.value));
      }
    }
    if (!event.empty() && out.message != event) {
      setField(out.context, "log_message", JsonValue(event));
    }
  }

  void fillStack(ErrorRecord& out) {
    const element v = get(Role::kStack).value;
    if (json_fields::isStructlogTrace(v)) {
      array stacks;
      if (!v.get(stacks) && json_fields::readStructlogTrace(stacks, out)) consume(Role::kStack);
      return;
    }
    lines_.clear();
    if (v.type() == element_type::ARRAY) {
      array a;
      if (!v.get(a)) {
        for (element e : a) {
          if (e.type() == element_type::STRING) splitLines(stringOf(e), lines_);
        }
      }
    } else {
      splitLines(stringOf(v), lines_);
    }
    while (!lines_.empty() && lines_.back().find_first_not_of(" \t") == std::string::npos) {
      lines_.pop_back();
    }
    if (lines_.empty()) return;
    if (!analyzeTrace(lines_, out, true)) out.traceback.assign(lines_.begin(), lines_.end());
    consume(Role::kStack);
  }

  // Merges the object of role r (consumed before appendContext) into dst; values of the wrong type
  // for the record schema are kept in context under `key`.
  void mergeSchemaObject(Role r, json_fields::InfoKind kind, std::string_view key, JsonObject& dst,
                         ErrorRecord& out) {
    if (!has(r)) return;
    object src;
    rejected_.clear();
    if (!get(r).value.get(src)) json_fields::mergeInfo(src, kind, dst, rejected_);
    keepRejected(key, out);
  }

  void keepRejected(std::string_view key, ErrorRecord& out) {
    if (rejected_.empty()) return;
    setField(out.context, key, JsonValue(std::move(rejected_)));
    rejected_.clear();
  }

  // Release, environment, trace and span ids (their values were validated by accepts()).
  void fillCorrelation(ErrorRecord& out) {
    auto text = [this](Role r) -> std::string {
      const element v = get(r).value;
      if (v.type() == element_type::STRING) return std::string(stringOf(v));
      if (int64_t i = 0; v.type() == element_type::INT64 && !v.get(i)) return std::to_string(i);
      if (uint64_t u = 0; !v.get(u)) return std::to_string(u);
      return {};
    };
    if (has(Role::kRelease)) {
      // GELF's `version` is the version of GELF ("1.1"), not the application's.
      const bool gelf = kAliasList[get(Role::kRelease).priority].path == "version" &&
                        hasMessage() &&
                        kAliasList[get(Role::kMessage).priority].path == "short_message";
      if (!gelf) {
        out.release = text(Role::kRelease);
        consume(Role::kRelease);
      }
    }
    for (const auto& [role, field] :
         {std::pair{Role::kEnvironment, &out.environment}, std::pair{Role::kTraceId, &out.trace_id},
          std::pair{Role::kSpanId, &out.span_id}}) {
      if (!has(role)) continue;
      *field = text(role);
      consume(role);
    }
    if (has(Role::kTraceparent)) {
      if (auto ids = correlation::parseTraceparent(stringOf(get(Role::kTraceparent).value))) {
        if (out.trace_id.empty()) out.trace_id.assign(ids->trace_id);
        if (out.span_id.empty()) out.span_id.assign(ids->span_id);
      }
      consume(Role::kTraceparent);
    }
  }

  void fillRequest(ErrorRecord& out) {
    static constexpr std::pair<Role, std::string_view> kStringFields[] = {
        {Role::kMethod, "method"},
        {Role::kPath, "path"},
        {Role::kClientIp, "client_ip"},
        {Role::kUserAgent, "user_agent"},
    };
    for (const auto& [role, key] : kStringFields) {
      if (!has(role)) continue;
      setField(out.request_info, key, JsonValue(stringOf(get(role).value)));
      consume(role);
    }
    if (has(Role::kRequestId)) {
      const element v = get(Role::kRequestId).value;
      if (v.type() == element_type::STRING) {
        setField(out.request_info, "request_id", JsonValue(stringOf(v)));
      } else if (int64_t i = 0; !v.get(i)) {
        setField(out.request_info, "request_id", JsonValue(std::to_string(i)));
      } else if (uint64_t u = 0; !v.get(u)) {
        setField(out.request_info, "request_id", JsonValue(std::to_string(u)));
      }
      consume(Role::kRequestId);
    }
    if (has(Role::kDuration)) {
      setField(out.request_info, "duration_ms", toJsonValue(get(Role::kDuration).value));
      consume(Role::kDuration);
    }
    if (has(Role::kStatus)) {
      setField(out.response_info, "status_code",
               JsonValue(*statusCodeOf(get(Role::kStatus).value)));
      consume(Role::kStatus);
    }
  }

  // Appends the fields of obj that no role consumed. Objects that held consumed fields keep
  // the rest, and are left out when nothing remains.
  void appendContext(object obj, JsonObject& out, int depth) {
    for (auto field : obj) {
      if (isConsumed(field.key.data())) continue;
      if (consumed_count_ > 0 && depth + 1 < kMaxContainerDepth &&
          field.value.type() == element_type::OBJECT) {
        object child;
        if (field.value.get(child)) continue;
        JsonObject rest;
        appendContext(child, rest, depth + 1);
        if (rest.empty() && child.size() > 0) continue;  // everything in it was used
        out.emplace_back(std::string(field.key), JsonValue(std::move(rest)));
        continue;
      }
      out.emplace_back(std::string(field.key), toJsonValue(field.value));
    }
  }

  simdjson::dom::parser dom_;
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;
  size_t loaded_ = 0;
  std::array<Candidate, kRoleCount> best_{};
  std::array<const char*, kRoleCount> consumed_{};
  size_t consumed_count_ = 0;
  std::vector<std::string_view> lines_;
  JsonObject rejected_;
};

JsonParser::JsonParser() : impl_(std::make_unique<Impl>()) {}
JsonParser::~JsonParser() = default;

bool JsonParser::startsEvent(std::string_view line) const {
  const std::string_view s = skipLead(line);
  return !s.empty() && s[0] == '{';
}

bool JsonParser::continuesEvent(std::span<const std::string_view> event,
                                std::string_view line) const {
  (void)event;
  (void)line;
  return false;
}

int JsonParser::probe(std::string_view line) const {
  const std::string_view s = skipLead(line);
  if (s.empty() || s[0] != '{') return 0;
  object obj;
  int score = 5;  // starts like JSON but does not parse
  if (impl_->load(s, obj)) {
    impl_->classify(obj);
    score = impl_->hasLevel() || impl_->hasMessage() ? 90 : 40;
  }
  impl_->trim();
  return score;
}

ParseStatus JsonParser::parse(const LogEvent& event, Level min_level, ErrorRecord& out) {
  if (event.lines.empty()) return ParseStatus::kNotMatched;
  return parseObject(event.lines[0], min_level, out, {});
}

ParseStatus JsonParser::parseObject(std::string_view text, Level min_level, ErrorRecord& out,
                                    const ObjectOptions& options) {
  const ParseStatus status = impl_->parse(text, min_level, out, options);
  impl_->trim();
  return status;
}

bool JsonParser::hasRecordShape(std::string_view text) const {
  const bool shaped = impl_->hasRecordShape(text);
  impl_->trim();
  return shaped;
}

std::unique_ptr<Parser> makeJsonParser() { return std::make_unique<JsonParser>(); }

}  // namespace homeo
