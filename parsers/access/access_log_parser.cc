#include "parsers/access/access_log_parser.h"

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Entry {
  std::string_view client;
  std::string_view user;
  std::string_view time;  // as written, without brackets
  std::string_view method;
  std::string_view path;
  std::string_view protocol;
  int status = 0;
  std::string_view size;
  std::string_view referer;
  std::string_view agent;
  std::string_view reason;  // uvicorn's status phrase
  int confidence = 0;
};

bool isMethod(std::string_view m) {
  if (m.size() < 3 || m.size() > 10) return false;
  for (char c : m) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

// Takes `"..."` (with \" escapes) from the front of s.
bool takeQuoted(std::string_view& s, std::string_view& inside) {
  if (s.empty() || s[0] != '"') return false;
  size_t i = 1;
  while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
  if (i >= s.size()) return false;
  inside = s.substr(1, i - 1);
  s.remove_prefix(i + 1);
  s = text::trimLeft(s);
  return true;
}

// "GET /a HTTP/1.1"
bool splitRequest(std::string_view req, Entry& e) {
  const size_t sp = req.find(' ');
  if (sp == std::string_view::npos || !isMethod(req.substr(0, sp))) return false;
  e.method = req.substr(0, sp);
  std::string_view rest = req.substr(sp + 1);
  const size_t proto = rest.rfind(" HTTP/");
  if (proto != std::string_view::npos) {
    e.protocol = rest.substr(proto + 1);
    rest = rest.substr(0, proto);
  }
  e.path = rest;
  return !rest.empty();
}

bool takeStatus(std::string_view& s, Entry& e) {
  const std::string_view tok = text::nextToken(s);
  if (tok.size() != 3) return false;
  const auto v = text::parseUint(tok);
  if (!v || *v < 100 || *v > 599) return false;
  e.status = static_cast<int>(*v);
  s = text::trimLeft(s);
  return true;
}

// After the request: status size ["referer" "agent" ...].
bool parseTail(std::string_view s, Entry& e) {
  if (!takeStatus(s, e)) return false;
  e.size = text::nextToken(s);
  s = text::trimLeft(s);
  if (takeQuoted(s, e.referer)) takeQuoted(s, e.agent);
  return true;
}

bool parseCombined(std::string_view line, Entry& e) {
  std::string_view s = line;
  e.client = text::nextToken(s);
  text::nextToken(s);  // ident
  e.user = text::nextToken(s);
  s = text::trimLeft(s);
  if (e.client.empty() || s.empty() || s[0] != '[') return false;
  const size_t close = s.find(']');
  if (close == std::string_view::npos || close < 21) return false;
  e.time = s.substr(1, close - 1);
  if (e.time[2] != '/' || e.time[6] != '/' || e.time[11] != ':') return false;
  s = text::trimLeft(s.substr(close + 1));
  std::string_view req;
  if (!takeQuoted(s, req)) return false;
  if (!splitRequest(req, e)) {
    // "-" or garbage sent by scanners: still an access line, without a request.
    e.method = {};
    e.path = {};
  }
  if (!parseTail(s, e)) return false;
  e.confidence = 95;
  return true;
}

// Django runserver: [02/Jan/2024 15:04:05] "GET /x HTTP/1.1" 500 1234
bool parseDjango(std::string_view line, Entry& e) {
  if (line.size() < 30 || line[0] != '[' || line[3] != '/' || line[7] != '/' || line[12] != ' ' ||
      line[21] != ']')
    return false;
  e.time = line.substr(1, 20);
  std::string_view s = text::trimLeft(line.substr(22));
  std::string_view req;
  if (!takeQuoted(s, req) || !splitRequest(req, e)) return false;
  if (!parseTail(s, e)) return false;
  e.confidence = 90;
  return true;
}

// uvicorn: INFO:     1.2.3.4:5678 - "GET /x HTTP/1.1" 500 Internal Server Error
bool parseUvicorn(std::string_view line, Entry& e) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon < 4 || colon > 8) return false;
  if (!parseLevel(line.substr(0, colon))) return false;
  std::string_view s = text::trimLeft(line.substr(colon + 1));
  const std::string_view addr = text::nextToken(s);
  s = text::trimLeft(s);
  if (addr.empty() || !text::startsWith(s, "- \"")) return false;
  s.remove_prefix(2);
  std::string_view req;
  if (!takeQuoted(s, req) || !splitRequest(req, e)) return false;
  if (!takeStatus(s, e)) return false;
  const size_t port = addr.rfind(':');
  e.client = port == std::string_view::npos || addr.find(':') != port ? addr : addr.substr(0, port);
  e.reason = s;
  e.confidence = 90;
  return true;
}

// morgan "dev"/"tiny": GET /x 500 12.345 ms - 123
bool parseMorgan(std::string_view line, Entry& e) {
  std::string_view s = line;
  const std::string_view method = text::nextToken(s);
  if (!isMethod(method)) return false;
  const std::string_view path = text::nextToken(s);
  if (path.empty() || path[0] != '/') return false;
  if (!takeStatus(s, e)) return false;
  text::nextToken(s);  // response time
  if (text::nextToken(s) != "ms") return false;
  s = text::trimLeft(s);
  if (text::startsWith(s, "- ")) s.remove_prefix(2);
  e.size = text::nextToken(s);
  e.method = method;
  e.path = path;
  e.confidence = 80;
  return true;
}

bool parseEntry(std::string_view line, Entry& e) {
  if (line.empty()) return false;
  if (line[0] == '[') return parseDjango(line, e);
  if (text::isDigit(line[0]) || line[0] == ':' || text::isAlpha(line[0])) {
    if (parseCombined(line, e)) return true;
    e = Entry{};
    if (parseUvicorn(line, e)) return true;
    e = Entry{};
    return parseMorgan(line, e);
  }
  return false;
}

Level levelOf(int status) {
  if (status >= 500) return Level::kError;
  if (status >= 400) return Level::kWarning;
  return Level::kInfo;
}

// "02/Jan/2024:15:04:05 +0000" (or "02/Jan/2024 15:04:05")
std::optional<CivilTime> parseAccessTime(std::string_view s) {
  int d, y, h, mi, sec;
  if (s.size() < 20 || !readDigits(s, 0, 2, &d) || !readDigits(s, 7, 4, &y) ||
      !readDigits(s, 12, 2, &h) || !readDigits(s, 15, 2, &mi) || !readDigits(s, 18, 2, &sec))
    return std::nullopt;
  const int month = monthFromAbbrev(s.substr(3, 3));
  if (month == 0) return std::nullopt;
  CivilTime t;
  t.year = y;
  t.month = month;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = sec;
  if (s.size() >= 26 && s[20] == ' ' && (s[21] == '+' || s[21] == '-')) {
    int zh, zm;
    if (readDigits(s, 22, 2, &zh) && readDigits(s, 24, 2, &zm))
      t.utc_offset = (s[21] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  return t;
}

bool present(std::string_view v) { return !v.empty() && v != "-"; }

class AccessLogParser final : public HeaderFormat<Entry, parseEntry> {
 public:
  std::string_view name() const override { return "access_log"; }

  // An access line is complete in itself.
  bool continuesEvent(std::span<const std::string_view>, std::string_view) const override {
    return false;
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Entry e;
    if (!parseEntry(ev.lines[0], e)) return ParseStatus::kNotMatched;
    const Level level = levelOf(e.status);
    if (level < min_level) return ParseStatus::kBelowLevel;
    out.level = level;
    if (!e.time.empty()) {
      if (auto t = parseAccessTime(e.time)) out.time = toUnixNanos(*t);
    }
    out.message.clear();
    if (!e.method.empty()) {
      out.message.append(e.method).append(" ").append(e.path).append(" -> ");
    }
    out.message.append(std::to_string(e.status));
    if (!e.method.empty()) {
      setField(out.request_info, "method", JsonValue(e.method));
      setField(out.request_info, "path", JsonValue(e.path));
    }
    if (present(e.client)) setField(out.request_info, "client_ip", JsonValue(e.client));
    if (present(e.agent)) setField(out.request_info, "user_agent", JsonValue(e.agent));
    if (present(e.referer)) setField(out.request_info, "referer", JsonValue(e.referer));
    if (present(e.protocol)) setField(out.request_info, "protocol", JsonValue(e.protocol));
    if (present(e.user)) setField(out.context, "remote_user", JsonValue(e.user));
    setField(out.response_info, "status_code", JsonValue(int64_t{e.status}));
    if (auto size = text::parseUint(e.size)) {
      setField(out.response_info, "size_bytes", JsonValue(*size));
    }
    if (!e.reason.empty()) setField(out.response_info, "reason", JsonValue(text::trim(e.reason)));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeAccessLogParser() { return std::make_unique<AccessLogParser>(); }

}  // namespace homeo
