#include "parsers/w3c/w3c_parser.h"

#include <array>
#include <cctype>

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

constexpr size_t kMaxTokens = 48;

struct Entry {
  bool directive = false;
  std::array<std::string_view, kMaxTokens> tok;
  size_t n = 0;
  std::optional<CivilTime> time;
  size_t method = 0;  // index of the method token
  int status = 0;
  size_t status_at = 0;
  int confidence = 0;
};

bool isDirective(std::string_view line) {
  static constexpr std::string_view kNames[] = {
      "#Fields:",     "#Software:", "#Version:", "#Date:",
      "#Start-Date:", "#End-Date:", "#Remark:",  "#GMT-Offset:"};
  for (const auto name : kNames) {
    if (text::startsWith(line, name)) return true;
  }
  return false;
}

bool isMethod(std::string_view m) {
  static constexpr std::string_view kMethods[] = {
      "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PROPFIND"};
  for (const auto k : kMethods) {
    if (m == k) return true;
  }
  return false;
}

bool isDate(std::string_view s) {
  int y, m, d;
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && readDigits(s, 0, 4, &y) &&
         readDigits(s, 5, 2, &m) && readDigits(s, 8, 2, &d);
}

bool isClock(std::string_view s) {
  int h, m, sec;
  return s.size() >= 8 && s[2] == ':' && s[5] == ':' && readDigits(s, 0, 2, &h) &&
         readDigits(s, 3, 2, &m) && readDigits(s, 6, 2, &sec);
}

std::optional<int> statusOf(std::string_view s) {
  if (s.size() != 3) return std::nullopt;
  const auto v = text::parseUint(s);
  if (!v || *v < 100 || *v > 599) return std::nullopt;
  return static_cast<int>(*v);
}

// Splits on spaces; a token in double quotes keeps its spaces and loses its quotes.
void tokenize(std::string_view s, Entry& e) {
  e.n = 0;
  while (e.n < kMaxTokens) {
    s = text::trimLeft(s);
    if (s.empty()) break;
    size_t end;
    if (s[0] == '"') {
      end = s.find('"', 1);
      if (end == std::string_view::npos) end = s.size();
      e.tok[e.n++] = s.substr(1, end - 1);
      s.remove_prefix(std::min(s.size(), end + 1));
      continue;
    }
    end = 0;
    while (end < s.size() && !text::isSpace(s[end])) ++end;
    e.tok[e.n++] = s.substr(0, end);
    s.remove_prefix(end);
  }
}

bool parseEntry(std::string_view line, Entry& e) {
  if (line.empty()) return false;
  if (line[0] == '#') {
    if (!isDirective(line)) return false;
    e.directive = true;
    e.confidence = 100;
    return true;
  }
  if (!text::isDigit(line[0]) && line[0] != '"') return false;
  tokenize(text::trimRight(line), e);
  if (e.n < 5) return false;
  // A date and a time next to each other among the first fields.
  size_t at = kMaxTokens;
  for (size_t i = 0; i + 1 < e.n && i < 8; ++i) {
    if (isDate(e.tok[i]) && isClock(e.tok[i + 1])) {
      at = i;
      break;
    }
  }
  if (at == kMaxTokens) return false;
  CivilTime t;
  int y, mo, d, h, mi, sec;
  readDigits(e.tok[at], 0, 4, &y);
  readDigits(e.tok[at], 5, 2, &mo);
  readDigits(e.tok[at], 8, 2, &d);
  readDigits(e.tok[at + 1], 0, 2, &h);
  readDigits(e.tok[at + 1], 3, 2, &mi);
  readDigits(e.tok[at + 1], 6, 2, &sec);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = sec;
  const std::string_view clock = e.tok[at + 1];
  if (clock.size() > 9 && clock[8] == '.') {
    int64_t ns = 0;
    size_t n = 0;
    for (size_t i = 9; i < clock.size() && n < 9 && text::isDigit(clock[i]); ++i, ++n)
      ns = ns * 10 + (clock[i] - '0');
    for (; n < 9; ++n) ns *= 10;
    t.nanos = ns;
  }
  t.utc_offset = 0;  // W3C logs are in UTC
  e.time = t;
  // The method, then the path.
  size_t m = 0;
  for (size_t i = at + 2; i + 1 < e.n; ++i) {
    if (isMethod(e.tok[i])) {
      m = i;
      break;
    }
  }
  if (m == 0) return false;
  e.method = m;
  // Status: the first of the numbers ending the line when there are three or more...
  size_t run = e.n;
  while (run > m + 2 && text::parseUint(e.tok[run - 1])) --run;
  if (e.n - run >= 3) {
    if (auto s = statusOf(e.tok[run])) {
      e.status = *s;
      e.status_at = run;
    }
  }
  // ...else the first three-digit number after the path.
  for (size_t i = m + 2; e.status == 0 && i < e.n; ++i) {
    if (auto s = statusOf(e.tok[i])) {
      e.status = *s;
      e.status_at = i;
    }
  }
  if (e.status == 0) return false;
  e.confidence = 80;
  return true;
}

bool looksLikeIp(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  size_t dots = 0, colons = 0;
  for (char c : s) {
    if (c == '.') {
      ++dots;
    } else if (c == ':') {
      ++colons;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3 || colons >= 2;
}

bool present(std::string_view v) { return !v.empty() && v != "-"; }

// "a=1&b=2" -> {"a": "1", "b": "2"} (values as written, not URL-decoded).
JsonObject queryObject(std::string_view q) {
  JsonObject obj;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    if (!pair.empty()) {
      setField(obj, pair.substr(0, eq),
               JsonValue(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return obj;
}

class W3cParser final : public HeaderFormat<Entry, parseEntry> {
 public:
  std::string_view name() const override { return "w3c"; }

  // Every line is complete in itself.
  bool continuesEvent(std::span<const std::string_view>, std::string_view) const override {
    return false;
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Entry e;
    if (!parseEntry(ev.lines[0], e)) return ParseStatus::kNotMatched;
    if (e.directive) {
      if (Level::kDebug < min_level) return ParseStatus::kBelowLevel;
      out.level = Level::kDebug;
      out.message.assign(text::trim(ev.lines[0]));
      return ParseStatus::kRecord;
    }
    const Level level = e.status >= 500   ? Level::kError
                        : e.status >= 400 ? Level::kWarning
                                          : Level::kInfo;
    if (level < min_level) return ParseStatus::kBelowLevel;
    out.level = level;
    if (e.time) out.time = toUnixNanos(*e.time);
    const std::string_view method = e.tok[e.method];
    const std::string_view path = e.tok[e.method + 1];
    out.message.assign(method).append(" ").append(path).append(" -> ");
    out.message.append(std::to_string(e.status));
    setField(out.request_info, "method", JsonValue(method));
    setField(out.request_info, "path", JsonValue(path));
    // cs-uri-query follows cs-uri-stem in every IIS layout.
    if (e.method + 2 < e.status_at && present(e.tok[e.method + 2]) &&
        e.tok[e.method + 2].find('=') != std::string_view::npos) {
      setField(out.request_info, "query", JsonValue(queryObject(e.tok[e.method + 2])));
    }
    // IIS's default field order: date time s-ip cs-method cs-uri-stem cs-uri-query s-port
    // cs-username c-ip cs(User-Agent) cs(Referer) sc-status...
    if (e.method == 3 && e.status_at == 11 && looksLikeIp(e.tok[8])) {
      setField(out.request_info, "client_ip", JsonValue(e.tok[8]));
      if (present(e.tok[9])) setField(out.request_info, "user_agent", JsonValue(e.tok[9]));
      if (present(e.tok[7])) setField(out.context, "remote_user", JsonValue(e.tok[7]));
    }
    setField(out.response_info, "status_code", JsonValue(int64_t{e.status}));
    if (e.status_at + 1 < e.n && e.n - e.status_at >= 4) {
      if (auto sub = text::parseUint(e.tok[e.status_at + 1]))
        setField(out.response_info, "substatus", JsonValue(*sub));
      if (auto win32 = text::parseUint(e.tok[e.status_at + 2]))
        setField(out.response_info, "win32_status", JsonValue(*win32));
    }
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeW3cParser() { return std::make_unique<W3cParser>(); }

}  // namespace homeo
