#include "parsers/correlation.h"

#include "parsers/text_util.h"

namespace homeo::correlation {

namespace {

bool isLowerHex(char c) { return text::isDigit(c) || (c >= 'a' && c <= 'f'); }
bool isHex(char c) { return isLowerHex(c) || (c >= 'A' && c <= 'F'); }

bool allLowerHex(std::string_view s) {
  for (char c : s) {
    if (!isLowerHex(c)) return false;
  }
  return true;
}

bool allZeros(std::string_view s) { return s.find_first_not_of("0-") == std::string_view::npos; }

bool isId(std::string_view s) {
  if (s.empty() || s.size() > 64 || allZeros(s)) return false;
  bool decimal = true;
  size_t digits = 0;
  for (char c : s) {
    if (c == '-') {
      decimal = false;
      continue;
    }
    if (!isHex(c)) return false;
    if (!text::isDigit(c)) decimal = false;
    ++digits;
  }
  if (s.front() == '-' || s.back() == '-') return false;
  // Datadog writes its 64-bit ids in decimal (up to 20 digits); others hex, 8 digits or more.
  return digits >= 8 || (decimal && digits > 0 && digits <= 20);
}

}  // namespace

bool isName(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return text::trim(s).size() == s.size();
}

bool isTraceId(std::string_view s) { return isId(s); }
bool isSpanId(std::string_view s) { return isId(s); }

std::optional<TraceIds> parseTraceparent(std::string_view s) {
  s = text::trim(s);
  // version "-" trace-id (32) "-" parent-id (16) "-" flags (2)
  constexpr size_t kLength = 2 + 1 + 32 + 1 + 16 + 1 + 2;
  if (s.size() < kLength || s[2] != '-' || s[35] != '-' || s[52] != '-') return std::nullopt;
  const std::string_view version = s.substr(0, 2);
  const std::string_view trace = s.substr(3, 32);
  const std::string_view span = s.substr(36, 16);
  const std::string_view flags = s.substr(53, 2);
  if (!allLowerHex(version) || version == "ff") return std::nullopt;
  // Version 00 has exactly these fields; a later one may append "-..." after them.
  if (s.size() > kLength && (version == "00" || s[kLength] != '-')) return std::nullopt;
  if (!allLowerHex(trace) || !allLowerHex(span) || !allLowerHex(flags)) return std::nullopt;
  if (allZeros(trace) || allZeros(span)) return std::nullopt;
  return TraceIds{trace, span};
}

std::optional<TraceIds> parseSpringBracket(std::string_view inside) {
  inside = text::trim(inside);
  auto hexId = [](std::string_view id) {
    if (id.size() < 8 || id.size() > 64) return false;
    for (char c : id) {
      if (!isHex(c)) return false;
    }
    return true;
  };
  const size_t c1 = inside.find(',');
  if (c1 == std::string_view::npos) {
    // Boot 3.2's "%correlationId": "traceId-spanId".
    const size_t dash = inside.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const std::string_view trace = inside.substr(0, dash);
    const std::string_view span = inside.substr(dash + 1);
    if (!hexId(trace) || !hexId(span)) return std::nullopt;
    return TraceIds{trace, span};
  }
  // Sleuth: "app,traceId,spanId" and "app,traceId,spanId,exportable"; Boot 3 with Micrometer
  // Tracing writes the same three. A request without a trace leaves them blank ("app,,").
  std::string_view rest = inside.substr(c1 + 1);
  const size_t c2 = rest.find(',');
  const std::string_view trace = text::trim(rest.substr(0, c2));
  if (trace.empty() && c2 != std::string_view::npos &&
      text::trim(rest.substr(c2 + 1)).find_first_not_of(",") == std::string_view::npos) {
    return TraceIds{};  // "app,," and "app,,,": no trace was open
  }
  if (!hexId(trace)) return std::nullopt;
  TraceIds ids{trace, {}};
  if (c2 != std::string_view::npos) {
    std::string_view span = rest.substr(c2 + 1);
    span = text::trim(span.substr(0, span.find(',')));
    if (hexId(span)) ids.span_id = span;
  }
  return ids;
}

void setTraceIds(ErrorRecord& r, std::string_view trace_id, std::string_view span_id) {
  if (isTraceId(trace_id)) r.trace_id.assign(trace_id);
  if (isSpanId(span_id)) r.span_id.assign(span_id);
}

void Collector::clear() {
  for (std::string& v : values_) v.clear();
  ranks_.fill(0);
}

bool Collector::offer(std::string_view path, std::string_view value) {
  const Key key = keyOf(path);
  if (key.field == Field::kNone) return false;
  bool valid = false;
  switch (key.field) {
    case Field::kRelease:
    case Field::kEnvironment:
      valid = isName(value);
      break;
    case Field::kTraceId:
    case Field::kSpanId:
      valid = isId(value);
      break;
    case Field::kTraceparent:
      valid = parseTraceparent(value).has_value();
      break;
    case Field::kNone:
      break;
  }
  if (!valid) return false;
  const auto i = static_cast<size_t>(key.field);
  if (values_[i].empty() || key.rank < ranks_[i]) {
    values_[i].assign(value);
    ranks_[i] = key.rank;
  }
  return true;
}

void Collector::apply(ErrorRecord& r) const {
  auto value = [this](Field f) -> const std::string& { return values_[static_cast<size_t>(f)]; };
  if (!value(Field::kRelease).empty()) r.release = value(Field::kRelease);
  if (!value(Field::kEnvironment).empty()) r.environment = value(Field::kEnvironment);
  if (!value(Field::kTraceId).empty()) r.trace_id = value(Field::kTraceId);
  if (!value(Field::kSpanId).empty()) r.span_id = value(Field::kSpanId);
  if (auto ids = parseTraceparent(value(Field::kTraceparent))) {
    if (r.trace_id.empty()) r.trace_id.assign(ids->trace_id);
    if (r.span_id.empty()) r.span_id.assign(ids->span_id);
  }
}

}  // namespace homeo::correlation
