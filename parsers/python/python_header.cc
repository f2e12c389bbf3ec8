#include "parsers/python/python_header.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

// Python writes level names in capitals (INFO, ERROR, WARNING, DEBUG, CRITICAL).
std::optional<Level> upperLevel(std::string_view word) {
  if (word.size() < 4 || word.size() > 8) return std::nullopt;
  for (char c : word) {
    if (!(c >= 'A' && c <= 'Z')) return std::nullopt;
  }
  return parseLevel(word);
}

// Reads the request line of an access logger's message; its status raises the level.
void readAccess(PyHeader& h) {
  RequestSummary req;
  if (!readAccessLine(h.message, req)) return;
  h.request = req;
  const Level by_status = levelOfStatus(req.status);
  if (by_status > h.level) h.level = by_status;
}

// "LEVEL:name:message" as written by logging.basicConfig().
bool parseBasicConfig(std::string_view line, size_t c1, Level level, PyHeader& h) {
  const size_t c2 = line.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  const std::string_view name = line.substr(c1 + 1, c2 - c1 - 1);
  if (name.empty() || name.find(' ') != std::string_view::npos) return false;
  h.layout = PyLayout::kBasicConfig;
  h.level = level;
  h.module = name;
  h.message = line.substr(c2 + 1);
  h.confidence = 75;
  return true;
}

// uvicorn's "%(levelprefix)s %(message)s": the level and its colon padded to 9 columns, then
// a space, so every message starts in column 10 ("ERROR:    msg", "CRITICAL: msg").
bool parseUvicorn(std::string_view line, size_t colon, Level level, PyHeader& h) {
  constexpr size_t kMessageColumn = 10;
  if (line.size() <= kMessageColumn || colon + 1 >= kMessageColumn ||
      text::isSpace(line[kMessageColumn]))
    return false;
  for (size_t i = colon + 1; i < kMessageColumn; ++i) {
    if (line[i] != ' ') return false;
  }
  h.layout = PyLayout::kUvicorn;
  h.level = level;
  h.message = line.substr(kMessageColumn);
  h.confidence = 80;
  // uvicorn.access writes "1.2.3.4:5678 - "GET / HTTP/1.1" 500 Internal Server Error" in
  // the same layout. Scored below the access_log format, which a file of request lines
  // alone is; here, among uvicorn's own lines, they are read by this format.
  std::string_view rest = h.message;
  text::nextToken(rest);
  if (text::startsWith(rest, " - \"")) {
    readAccess(h);
    if (h.request) h.confidence = 89;
  }
  return true;
}

// "ERROR 2024-03-11 19:45:10,123 log 1234 140234567890 msg": Django's documented "verbose"
// format ({levelname} {asctime} {module} {process:d} {thread:d} {message}), or a level and
// asctime before the message alone.
bool parseLevelFirst(std::string_view line, size_t space, Level level, PyHeader& h) {
  std::string_view s = line.substr(space + 1);
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  if (!t || used < 19 || used >= s.size() || s[used] != ' ') return false;
  s.remove_prefix(used + 1);
  h.layout = PyLayout::kLevelFirst;
  h.time = t;
  h.level = level;
  std::string_view rest = s;
  const std::string_view module = text::nextToken(rest);
  const std::string_view pid = text::nextToken(rest);
  const std::string_view thread = text::nextToken(rest);
  bool ident = !module.empty();
  for (char c : module) ident = ident && (text::isIdentChar(c) || c == '.');
  if (ident && text::parseUint(pid) && text::parseUint(thread)) {
    h.module = module;
    h.message = text::trimLeft(rest);
    h.confidence = 90;
  } else {
    h.message = s;
    h.confidence = 60;
  }
  return true;
}

// Lines that begin with a capital letter: basicConfig, uvicorn, a level before asctime, or
// one of Django's request errors written alone (its default handler's format is the message).
bool parseCapitalised(std::string_view line, PyHeader& h) {
  size_t n = 0;
  while (n < line.size() && n <= 8 && line[n] >= 'A' && line[n] <= 'Z') ++n;
  if (n < line.size() && (line[n] == ':' || line[n] == ' ')) {
    if (const auto level = upperLevel(line.substr(0, n))) {
      if (line[n] == ' ') return parseLevelFirst(line, n, *level, h);
      if (n + 1 < line.size() && line[n + 1] == ' ') return parseUvicorn(line, n, *level, h);
      return parseBasicConfig(line, n, *level, h);
    }
  }
  RequestSummary req;
  // Django's phrases name no method; Flask's "Exception on /x [GET]" has a header of its own.
  if (!readFrameworkRequest(line, req) || !req.method.empty()) return false;
  h.layout = PyLayout::kDjangoRequest;
  h.level = levelOfStatus(req.status);
  h.message = line;
  h.request = req;
  h.confidence = 70;
  return true;
}

// "11/Mar/2024 19:45:10" (werkzeug's and runserver's request times, no zone).
std::optional<CivilTime> parseRequestTime(std::string_view s) {
  int d, y, hh, mi, sec;
  if (s.size() < 20 || s[2] != '/' || s[6] != '/' || s[11] != ' ' || s[14] != ':' || s[17] != ':' ||
      !readDigits(s, 0, 2, &d) || !readDigits(s, 7, 4, &y) || !readDigits(s, 12, 2, &hh) ||
      !readDigits(s, 15, 2, &mi) || !readDigits(s, 18, 2, &sec))
    return std::nullopt;
  const int month = monthFromAbbrev(s.substr(3, 3));
  if (month == 0 || d < 1 || d > 31 || hh > 23 || mi > 59 || sec > 60) return std::nullopt;
  CivilTime t;
  t.year = y;
  t.month = month;
  t.day = d;
  t.hour = hh;
  t.minute = mi;
  t.second = sec;
  return t;
}

// The request line after a werkzeug or runserver time: its status is its level.
bool takeRequestLine(std::string_view message, PyLayout layout, int confidence, PyHeader& h) {
  RequestSummary req;
  if (!readAccessLine(message, req)) return false;
  h.layout = layout;
  h.level = levelOfStatus(req.status);
  h.message = message;
  h.request = req;
  h.confidence = confidence;
  return true;
}

// werkzeug (Flask's development server): `127.0.0.1 - - [11/Mar/2024 19:45:10] "GET / HTTP/1.1"
// 500 -`, the time without a zone, unlike the access logs of other servers.
bool parseWerkzeug(std::string_view line, PyHeader& h) {
  std::string_view s = line;
  const std::string_view client = text::nextToken(s);
  if (client.empty() || !text::startsWith(s, " - - [") || s.size() < 28 || s[26] != ']') {
    return false;
  }
  const auto t = parseRequestTime(s.substr(6, 20));
  if (!t || !takeRequestLine(text::trimLeft(s.substr(27)), PyLayout::kWerkzeug, 95, h)) {
    return false;
  }
  h.time = t;
  h.request->client = client;
  return true;
}

// Tornado's LogFormatter: "[E 240311 19:45:10 web:1798] msg" (level letter, yymmdd time,
// module:line).
bool parseTornado(std::string_view line, PyHeader& h) {
  int yy, mo, d, hh, mi, sec;
  if (line.size() < 22 || line[2] != ' ' || line[9] != ' ' || line[12] != ':' || line[15] != ':' ||
      line[18] != ' ' || !readDigits(line, 3, 2, &yy) || !readDigits(line, 5, 2, &mo) ||
      !readDigits(line, 7, 2, &d) || !readDigits(line, 10, 2, &hh) ||
      !readDigits(line, 13, 2, &mi) || !readDigits(line, 16, 2, &sec))
    return false;
  const auto level = levelFromLetter(line[1]);
  if (!level || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || sec > 60)
    return false;
  const size_t close = line.find("] ", 19);
  if (close == std::string_view::npos) return false;
  const std::string_view where = line.substr(19, close - 19);
  const size_t colon = where.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || !text::parseUint(where.substr(colon + 1)))
    return false;
  CivilTime t;
  t.year = 2000 + yy;
  t.month = mo;
  t.day = d;
  t.hour = hh;
  t.minute = mi;
  t.second = sec;
  h.layout = PyLayout::kTornado;
  h.time = t;
  h.level = *level;
  h.module = where.substr(0, colon);
  h.message = line.substr(close + 2);
  h.confidence = 90;
  return true;
}

// Celery's worker and beat: "[2024-03-11 19:45:10,123: ERROR/ForkPoolWorker-2] msg"; `s` is
// what follows the time.
bool parseCelery(std::string_view s, const CivilTime& t, PyHeader& h) {
  if (!text::startsWith(s, ": ")) return false;
  s.remove_prefix(2);
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  const auto level = upperLevel(s.substr(0, slash));
  if (!level) return false;
  const size_t close = s.find(']', slash);
  if (close == std::string_view::npos || close == slash + 1 ||
      (close + 1 < s.size() && s[close + 1] != ' '))
    return false;
  h.layout = PyLayout::kCelery;
  h.time = t;
  h.level = *level;
  h.process = s.substr(slash + 1, close - slash - 1);
  h.message = close + 2 <= s.size() ? s.substr(close + 2) : std::string_view();
  h.confidence = 95;
  return true;
}

// What follows the time of the logging module's layouts: "- name - LEVEL - msg",
// "- LEVEL - msg", " LEVEL name: msg", " LEVEL in name: msg" (Flask), " LEVEL msg".
// Inlined: it is the common line's path, taken twice per line (event assembly, parse).
[[gnu::always_inline]] inline bool parseAfterTime(std::string_view s, PyHeader& h) {
  if (text::startsWith(s, " - ")) {
    s.remove_prefix(3);
    size_t dash = s.find(" - ");
    if (dash == std::string_view::npos) return false;
    std::string_view first = s.substr(0, dash);
    h.layout = PyLayout::kLogging;
    if (auto level = upperLevel(first)) {
      h.level = *level;
      h.message = s.substr(dash + 3);
      h.confidence = 90;
      return true;
    }
    h.module = first;
    s.remove_prefix(dash + 3);
    dash = s.find(" - ");
    if (dash == std::string_view::npos) return false;
    const auto level = upperLevel(s.substr(0, dash));
    if (!level) return false;
    h.level = *level;
    h.message = s.substr(dash + 3);
    h.confidence = 95;
    return true;
  }
  if (s.empty() || s[0] != ' ') return false;
  std::string_view rest = s;
  const std::string_view word = text::nextToken(rest);
  const auto level = upperLevel(word);
  if (!level) return false;
  h.layout = PyLayout::kLevelAfterTime;
  h.level = *level;
  rest = text::trimLeft(rest);
  if (text::startsWith(rest, "in ")) {
    rest.remove_prefix(3);
    h.layout = PyLayout::kFlask;
  }
  const size_t colon = rest.find(": ");
  const size_t space = rest.find(' ');
  if (colon != std::string_view::npos && colon <= space) {
    h.module = rest.substr(0, colon);
    h.message = rest.substr(colon + 2);
    h.confidence = 85;
  } else {
    h.message = rest;
    h.confidence = 60;
  }
  return true;
}

bool parseBracketed(std::string_view line, PyHeader& h) {
  if (line.size() > 2 && line[2] == ' ' && text::isAlpha(line[1])) return parseTornado(line, h);
  if (line.size() > 23 && line[3] == '/' && line[21] == ']') {
    // Django's runserver: "[11/Mar/2024 19:45:10] "GET / HTTP/1.1" 500 145". A file of
    // request lines alone is the access_log format's (scored higher); among Django's own
    // lines they are read here.
    const auto t = parseRequestTime(line.substr(1, 20));
    if (!t || !takeRequestLine(text::trimLeft(line.substr(22)), PyLayout::kDjangoServer, 89, h))
      return false;
    h.time = t;
    return true;
  }
  std::string_view s = line.substr(1);
  size_t used = 0;
  const auto t = parseTimestampPrefix(s, &used);
  if (!t || used < 19) return false;
  s.remove_prefix(used);
  if (!s.empty() && s[0] == ':') return parseCelery(s, *t, h);
  if (s.empty() || s[0] != ']') return false;
  h.time = t;
  return parseAfterTime(s.substr(1), h);
}

}  // namespace

void readAccessLogger(PyHeader& h) {
  if (h.request || h.module.empty()) return;
  // Told apart by the last byte first: nearly every logger is none of these.
  bool access = false;
  switch (h.module.back()) {
    case 's':
      access = h.module.ends_with(".access");
      break;
    case 'r':
      access = h.module == "django.server";
      break;
    case 'g':
      access = h.module == "werkzeug";
      break;
    default:
      break;
  }
  if (access) readAccess(h);
}

bool parsePythonHeader(std::string_view line, PyHeader& h) {
  if (line.size() < 4) return false;
  const char c = line[0];
  if (c == '[') return parseBracketed(line, h);
  if (c >= 'A' && c <= 'Z') return parseCapitalised(line, h);
  if (!text::isDigit(c) && c != ':') return false;
  size_t used = 0;
  h.time = parseTimestampPrefix(line, &used);
  if (h.time && used >= 19) return parseAfterTime(line.substr(used), h);
  h.time.reset();
  return parseWerkzeug(line, h);
}

}  // namespace homeo
