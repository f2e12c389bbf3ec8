#include "parsers/generic/generic_parser.h"

#include <string>
#include <vector>

#include "parsers/header_format.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"
#include "parsers/trace/frame_names.h"

namespace homeo {
namespace {

struct Header {
  std::optional<CivilTime> time;
  Level level = Level::kInfo;
  std::string_view module;
  std::string_view message;
  int confidence = 0;
  int status = 0;  // an HTTP status the line reports (Rails "Completed 500")
  // Rails: the request id tag (config.log_tags = [:request_id], the production default) and
  // what "Started GET "/x" for 1.2.3.4" says.
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string_view client_ip;
};

// A Rails request id: a UUID or a long hex/alphanumeric token.
bool looksLikeRequestId(std::string_view s) {
  if (s.size() < 16 || s.size() > 64) return false;
  for (char c : s) {
    if (!text::isIdentChar(c) && c != '-') return false;
  }
  return true;
}

// Takes Rails' tags ("[8d3f...] [web] ") off the front of a Ruby Logger message and reads
// "Started GET "/path" for 1.2.3.4 at ...".
void readRailsRequest(std::string_view& msg, Header& h) {
  while (!msg.empty() && msg[0] == '[') {
    const size_t close = msg.find(']');
    if (close == std::string_view::npos || close + 1 >= msg.size() || msg[close + 1] != ' ') break;
    const std::string_view tag = msg.substr(1, close - 1);
    if (h.request_id.empty() && looksLikeRequestId(tag)) h.request_id = tag;
    msg = text::trimLeft(msg.substr(close + 1));
  }
  if (!text::startsWith(msg, "Started ")) return;
  std::string_view s = msg.substr(8);
  const std::string_view method = text::nextToken(s);
  s = text::trimLeft(s);
  if (method.empty() || s.size() < 3 || s[0] != '"') return;
  const size_t q = s.find('"', 1);
  if (q == std::string_view::npos) return;
  h.method = method;
  h.path = s.substr(1, q - 1);
  s = s.substr(q + 1);
  if (text::nextToken(s) == "for") h.client_ip = text::nextToken(s);
}

// yyMMdd HHmmss (Hadoop HDFS) and yy/MM/dd HH:mm:ss (Spark), which the common parser leaves
// alone because they are ambiguous in free text; here a level word must follow.
bool parseShortYear(std::string_view s, CivilTime& t, size_t& used) {
  int yy, mo, d, h, mi, sec;
  if (s.size() >= 13 && s[6] == ' ' && readDigits(s, 0, 2, &yy) && readDigits(s, 2, 2, &mo) &&
      readDigits(s, 4, 2, &d) && readDigits(s, 7, 2, &h) && readDigits(s, 9, 2, &mi) &&
      readDigits(s, 11, 2, &sec) && (s.size() == 13 || s[13] == ' ')) {
    used = 13;
  } else if (s.size() >= 17 && s[2] == '/' && s[5] == '/' && s[8] == ' ' && s[11] == ':' &&
             s[14] == ':' && readDigits(s, 0, 2, &yy) && readDigits(s, 3, 2, &mo) &&
             readDigits(s, 6, 2, &d) && readDigits(s, 9, 2, &h) && readDigits(s, 12, 2, &mi) &&
             readDigits(s, 15, 2, &sec)) {
    used = 17;
  } else {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  t = CivilTime{};
  t.year = 2000 + yy;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = sec;
  return true;
}

// A timestamp at the start of s, optionally in brackets. Advances s past it.
std::optional<CivilTime> takeTimestamp(std::string_view& s) {
  std::string_view t = s;
  const bool bracketed = !t.empty() && t[0] == '[';
  if (bracketed) t.remove_prefix(1);
  size_t used = 0;
  std::optional<CivilTime> time = parseTimestampPrefix(t, &used);
  if (!time || used < 14) {
    CivilTime c;
    if (!parseShortYear(t, c, used)) return std::nullopt;
    time = c;
  }
  t.remove_prefix(used);
  if (bracketed) {
    // "[2024-01-02 15:04:05 +0000]": a zone may follow the time inside the brackets.
    const size_t close = t.find(']');
    if (close == std::string_view::npos || close > 8) return std::nullopt;
    t.remove_prefix(close + 1);
  }
  if (!t.empty() && !text::isSpace(t[0]) && t[0] != '|' && t[0] != ']' && t[0] != ':')
    return std::nullopt;
  s = t;
  return time;
}

// BGL (Blue Gene/L RAS): label epoch yyyy.mm.dd node yyyy-mm-dd-hh.mm.ss.ffffff node type
// component LEVEL message.
bool parseBgl(std::string_view line, Header& h) {
  std::string_view s = line;
  const std::string_view label = text::nextToken(s);
  const std::string_view epoch = text::nextToken(s);
  const std::string_view date = text::nextToken(s);
  if (label.empty() || epoch.size() != 10 || !text::parseUint(epoch) || date.size() != 10 ||
      date[4] != '.' || date[7] != '.')
    return false;
  text::nextToken(s);  // node
  const std::string_view stamp = text::nextToken(s);
  int y, mo, d, hh, mi, sec;
  if (stamp.size() < 19 || !readDigits(stamp, 0, 4, &y) || !readDigits(stamp, 5, 2, &mo) ||
      !readDigits(stamp, 8, 2, &d) || !readDigits(stamp, 11, 2, &hh) ||
      !readDigits(stamp, 14, 2, &mi) || !readDigits(stamp, 17, 2, &sec))
    return false;
  text::nextToken(s);  // node again
  text::nextToken(s);  // RAS
  const std::string_view component = text::nextToken(s);
  const std::string_view word = text::nextToken(s);
  const auto level = parseLevel(word);
  if (!level) return false;
  CivilTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = hh;
  t.minute = mi;
  t.second = sec;
  if (stamp.size() > 20 && stamp[19] == '.') {
    int64_t ns = 0;
    size_t n = 0;
    for (size_t i = 20; i < stamp.size() && n < 9 && text::isDigit(stamp[i]); ++i, ++n)
      ns = ns * 10 + (stamp[i] - '0');
    for (; n < 9; ++n) ns *= 10;
    t.nanos = ns;
  }
  h.time = t;
  h.level = *level;
  h.module = component;
  h.message = text::trimLeft(s);
  h.confidence = 70;
  return true;
}

// Ruby's Logger: "E, [2024-01-02T15:04:05.123456 #1234] ERROR -- progname: message".
bool parseRuby(std::string_view line, Header& h) {
  if (line.size() < 8 || line[1] != ',' || line[2] != ' ' || line[3] != '[') return false;
  if (!levelFromLetter(line[0])) return false;
  std::string_view s = line.substr(4);
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  if (!t) return false;
  s.remove_prefix(used);
  const size_t close = s.find("] ");
  if (close == std::string_view::npos || close > 16) return false;
  s.remove_prefix(close + 2);
  const std::string_view word = text::nextToken(s);
  auto level = parseLevel(word);
  if (!level) {
    if (word != "ANY" && word != "UNKNOWN") return false;
    level = Level::kCritical;
  }
  s = text::trimLeft(s);
  if (!text::startsWith(s, "--")) return false;
  s.remove_prefix(2);
  const size_t colon = s.find(": ");
  if (colon != std::string_view::npos) {
    h.module = text::trim(s.substr(0, colon));
    s.remove_prefix(colon + 2);
  } else {
    s = text::trimLeft(s);
    if (!s.empty() && s[0] == ':') s.remove_prefix(1);
  }
  h.time = t;
  h.level = *level;
  h.message = s;
  h.confidence = 90;
  // Rails: "Completed 500 Internal Server Error in 12ms" closes a request.
  std::string_view msg = text::trimLeft(s);
  readRailsRequest(msg, h);
  if (text::startsWith(msg, "Completed ") && msg.size() >= 13) {
    if (auto code = text::parseUint(msg.substr(10, 3))) {
      h.status = static_cast<int>(*code);
      if (h.status >= 500 && h.level < Level::kError) h.level = Level::kError;
    }
  }
  return true;
}

// zap's console encoder: time TAB LEVEL TAB [logger TAB] [caller TAB] message [TAB {json}].
bool parseTabbed(std::string_view s, Header& h) {
  if (s.empty() || s[0] != '\t') return false;
  s.remove_prefix(1);
  size_t tab = s.find('\t');
  if (tab == std::string_view::npos) return false;
  const auto level = parseLevel(s.substr(0, tab));
  if (!level) return false;
  s.remove_prefix(tab + 1);
  h.level = *level;
  // Fields before the message are identifiers (logger name, file.go:line); the message is the
  // first field with a space, or the last one.
  while ((tab = s.find('\t')) != std::string_view::npos) {
    const std::string_view field = s.substr(0, tab);
    if (field.find(' ') != std::string_view::npos || field.empty()) break;
    h.module = field;
    s.remove_prefix(tab + 1);
  }
  h.message = s;
  h.confidence = 80;
  return true;
}

// oVirt vdsm: "Thread::LEVEL::yyyy-mm-dd hh:mm:ss,mmm::module::line::logger::(func) msg".
bool parseDoubleColon(std::string_view line, Header& h) {
  const size_t a = line.find("::");
  if (a == std::string_view::npos || a == 0 || a > 64) return false;
  std::string_view s = line.substr(a + 2);
  const size_t b = s.find("::");
  if (b == std::string_view::npos) return false;
  const auto level = parseLevel(s.substr(0, b));
  if (!level) return false;
  s = s.substr(b + 2);
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  if (!t || used < 19 || !text::startsWith(s.substr(used), "::")) return false;
  s = s.substr(used + 2);
  // module::line::logger::(func) message
  const size_t m = s.find("::");
  if (m != std::string_view::npos) h.module = s.substr(0, m);
  const size_t last = s.rfind("::");
  h.message = last == std::string_view::npos ? s : s.substr(last + 2);
  if (text::startsWith(h.message, "(")) {  // "(func) " names the function
    const size_t close = h.message.find(") ");
    if (close != std::string_view::npos) h.message.remove_prefix(close + 2);
  }
  h.time = t;
  h.level = *level;
  h.confidence = 80;
  return true;
}

// "03/11/2024, 7:45:10 PM": Intl.DateTimeFormat's en-US date and time, Node's default locale.
std::optional<CivilTime> parseUsDateTime(std::string_view s) {
  int mo, d, y, hh, mi, sec;
  if (s.size() < 20 || s[2] != '/' || s[5] != '/' || s.substr(10, 2) != ", " ||
      !readDigits(s, 0, 2, &mo) || !readDigits(s, 3, 2, &d) || !readDigits(s, 6, 4, &y))
    return std::nullopt;
  std::string_view clock = s.substr(12);
  const size_t hour_len = clock.find(':');
  if (hour_len == std::string_view::npos || hour_len < 1 || hour_len > 2 ||
      !readDigits(clock, 0, hour_len, &hh) || clock.size() < hour_len + 9 ||
      clock[hour_len + 3] != ':' || !readDigits(clock, hour_len + 1, 2, &mi) ||
      !readDigits(clock, hour_len + 4, 2, &sec))
    return std::nullopt;
  const std::string_view meridiem = clock.substr(hour_len + 7, 2);
  if (clock[hour_len + 6] != ' ' || (meridiem != "AM" && meridiem != "PM") || hh < 1 || hh > 12)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || mi > 59 || sec > 60) return std::nullopt;
  CivilTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = hh % 12 + (meridiem == "PM" ? 12 : 0);
  t.minute = mi;
  t.second = sec;
  return t;
}

// NestJS's ConsoleLogger: "[Nest] 1234  - 03/11/2024, 7:45:10 PM   ERROR [Context] msg", the
// level right-aligned to seven columns, the time in the host's locale (read when it is
// en-US, Node's default), " +3ms" after the message when the logger writes it.
bool parseNest(std::string_view line, Header& h) {
  if (!text::startsWith(line, "[Nest] ")) return false;
  std::string_view s = line.substr(7);
  if (!text::parseUint(text::nextToken(s))) return false;
  s = text::trimLeft(s);
  if (!text::startsWith(s, "- ")) return false;
  s.remove_prefix(2);
  h.time = parseUsDateTime(s);
  // The level is the first word in capitals after the time (which other locales write
  // otherwise): LOG, ERROR, WARN, DEBUG, VERBOSE, FATAL.
  std::optional<Level> level;
  for (int k = 0; k < 6 && !level; ++k) {
    const std::string_view word = text::nextToken(s);
    if (word.size() < 3) continue;
    bool upper = true;
    for (char c : word) upper = upper && c >= 'A' && c <= 'Z';
    if (upper) level = word == "LOG" ? Level::kInfo : parseLevel(word);
  }
  if (!level) return false;
  s = text::trimLeft(s);
  if (s.size() > 2 && s[0] == '[') {
    const size_t close = s.find("] ");
    if (close != std::string_view::npos) {
      h.module = s.substr(1, close - 1);
      s.remove_prefix(close + 2);
    }
  }
  h.level = *level;
  h.message = s;
  h.confidence = 90;
  return true;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 16) return false;
  if (line[0] == '[' && line[1] == 'N' && parseNest(line, h)) return true;
  std::string_view s = line;
  std::optional<CivilTime> time = takeTimestamp(s);
  // "[error] 2024-01-02T15:04:05Z ..." (CouchDB): a bracketed level before the time.
  std::optional<Level> lead_level;
  if (!time) {
    if (parseRuby(line, h)) return true;
    if (parseBgl(line, h)) return true;
    if (parseDoubleColon(line, h)) return true;
    // A file name or host before the timestamp (OpenStack: "nova-api.log.1 2017-05-16 ...").
    s = line;
    const std::string_view first = text::nextToken(s);
    if (first.empty() || first.size() > 64) return false;
    s = text::trimLeft(s);
    time = takeTimestamp(s);
    if (!time) return false;
    if (first.size() > 2 && first.front() == '[' && first.back() == ']')
      lead_level = parseLevel(first.substr(1, first.size() - 2));
  }
  h.time = time;
  if (parseTabbed(s, h)) return true;
  size_t end = 0;
  std::optional<Level> level;
  {
    // A level word right after the timestamp counts in any case ("12:00:01 debug msg",
    // ":WARN:msg"); further on it must look like one (findLevelToken).
    std::string_view first = s;
    while (!first.empty() && (first[0] == ':' || text::isSpace(first[0]))) first.remove_prefix(1);
    size_t n = 0;
    while (n < first.size() && text::isIdentChar(first[n])) ++n;
    if (n >= 4 && n <= 8 && (n == first.size() || first[n] == ' ' || first[n] == ':')) {
      level = parseLevel(first.substr(0, n));
      if (level) end = static_cast<size_t>(first.data() - s.data()) + n;
    }
  }
  if (!level) level = findLevelToken(s, 48, &end);
  if (!level && lead_level) {
    level = lead_level;
    end = 0;
  }
  if (!level) return false;
  h.level = *level;
  std::string_view rest = s.substr(end);
  // Close what opened the level ("[ERROR]", "<error>", "ERROR:") and separators.
  while (!rest.empty() && (rest[0] == ']' || rest[0] == '>' || rest[0] == ':' || rest[0] == ')' ||
                           text::isSpace(rest[0])))
    rest.remove_prefix(1);
  if (text::startsWith(rest, "- ")) rest.remove_prefix(2);
  // "module: message" when the first word ends with a colon.
  std::string_view probe = rest;
  const std::string_view word = text::nextToken(probe);
  if (word.size() > 1 && word.back() == ':') {
    h.module = word.substr(0, word.size() - 1);
    rest = text::trimLeft(probe);
  }
  h.message = rest;
  h.confidence = 50;
  return true;
}

// Monolog's JSON escaping of backslashes in class names: "App\\\\Ex" -> "App\\Ex".
std::string unescapeSlashes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out.push_back(s[i]);
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') ++i;
  }
  return out;
}

// Laravel (Monolog's line formatter) writes the exception into the entry's context and its
// trace on the lines after it:
//   [2024-01-02 15:04:05] production.ERROR: msg {"exception":"[object] (App\\Ex(code: 0): msg
//   at /app/x.php:12)
//   [stacktrace]
//   #0 /app/y.php(3): App\\Svc->f()
//   ...
//   "}
// Monolog's own default (no stack trace) ends the entry on the line, `... at /app/x.php:12)"}
// []`. And PHP's own "Uncaught App\\Ex: msg in /app/x.php:12" + "Stack trace:" (a fatal error
// Laravel logs). The record is then about the exception: type, message, frames (outermost
// first), php.
bool readLaravelException(const LogEvent& ev, ErrorRecord& out) {
  // Other context keys may come first (Laravel's handler adds "userId" of a signed-in user).
  constexpr std::string_view kMark = "\"exception\":\"[object] (";
  const std::string_view head = ev.lines[0];
  std::string_view type;
  std::string_view message;
  Frame thrown;
  if (const size_t mark = head.find(kMark); mark != std::string_view::npos) {
    std::string_view s = head.substr(mark + kMark.size());
    const size_t code = s.find("(code: ");
    if (code == std::string_view::npos || code == 0) return false;
    type = s.substr(0, code);
    s = s.substr(code);
    const size_t close = s.find("): ");
    if (close == std::string_view::npos) return false;
    message = text::trimRight(s.substr(close + 3));
    // Monolog without its stack trace ends the JSON string on the line: "... at /x.php:12)"}".
    if (const size_t end = message.find(")\""); end != std::string_view::npos) {
      message = message.substr(0, end + 1);
    }
    if (!message.empty() && message.back() == ')') message.remove_suffix(1);
    const size_t at = message.rfind(" at ");
    if (at != std::string_view::npos) {
      const std::string_view loc = message.substr(at + 4);
      const size_t colon = loc.rfind(':');
      if (colon != std::string_view::npos) {
        if (auto line = text::parseUint(loc.substr(colon + 1))) {
          thrown.file.assign(loc.substr(0, colon));
          thrown.line = *line;
          message = message.substr(0, at);
        }
      }
    }
  } else {
    // PHP's own "Uncaught App\Ex: msg in /app/x.php:12" with "Stack trace:" below.
    const size_t un = head.find("Uncaught ");
    if (un == std::string_view::npos || ev.lines.size() < 2 ||
        text::trim(ev.lines[1]) != "Stack trace:")
      return false;
    std::string_view s = head.substr(un + 9);
    const size_t colon = s.find(": ");
    if (colon == std::string_view::npos || colon == 0) return false;
    type = s.substr(0, colon);
    for (char c : type) {
      if (!text::isIdentChar(c) && c != '\\') return false;
    }
    message = text::trimRight(s.substr(colon + 2));
    const size_t in = message.rfind(" in ");
    if (in != std::string_view::npos) {
      const std::string_view loc = message.substr(in + 4);
      const size_t lc = loc.rfind(':');
      if (lc != std::string_view::npos) {
        if (auto line = text::parseUint(loc.substr(lc + 1))) {
          thrown.file.assign(loc.substr(0, lc));
          thrown.line = *line;
          message = message.substr(0, in);
        }
      }
    }
  }
  // "#k file(line): call", innermost first.
  struct Entry {
    std::string_view file;
    int64_t line = 0;
    std::string_view call;
  };
  std::vector<Entry> entries;
  for (size_t i = 1; i < ev.lines.size(); ++i) {
    const std::string_view t = text::trimRight(ev.lines[i]);
    // One trace only: the wrapping error's ("  thrown {...", a second "Stack trace:") is not it.
    if (!entries.empty() && text::startsWith(text::trimLeft(t), "thrown")) break;
    if (t.size() < 3 || t[0] != '#' || !text::isDigit(t[1])) continue;
    const size_t sp = t.find(' ');
    if (sp == std::string_view::npos) continue;
    const std::string_view rest = t.substr(sp + 1);
    Entry e;
    const size_t sep = rest.find(": ");
    if (sep == std::string_view::npos) {
      e.call = rest;  // {main}
    } else {
      std::string_view loc = rest.substr(0, sep);
      e.call = rest.substr(sep + 2);
      const size_t open = loc.rfind('(');
      if (open != std::string_view::npos && loc.back() == ')') {
        if (auto line = text::parseUint(loc.substr(open + 1, loc.size() - open - 2))) {
          e.line = *line;
          loc = loc.substr(0, open);
        }
      }
      if (loc != "[internal function]") e.file = loc;
    }
    entries.push_back(e);
  }
  auto callName = [](std::string_view call) {
    return unescapeSlashes(call.substr(0, call.find('(')));
  };
  std::string logged = out.message;
  out.exception_type = unescapeSlashes(type);
  out.message = unescapeSlashes(message);
  out.language = "php";
  out.frames.clear();
  for (size_t k = entries.size(); k-- > 0;) {
    if (entries[k].file.empty()) continue;
    Frame f;
    f.file.assign(entries[k].file);
    f.line = entries[k].line;
    frames::setPhpName(k + 1 < entries.size() ? callName(entries[k + 1].call) : "{main}", f);
    out.frames.push_back(std::move(f));
  }
  if (!thrown.file.empty()) {
    frames::setPhpName(entries.empty() ? "{main}" : callName(entries.front().call), thrown);
    out.frames.push_back(std::move(thrown));
  }
  out.traceback.clear();
  for (size_t i = 1; i < ev.lines.size(); ++i) out.traceback.emplace_back(ev.lines[i]);
  if (const size_t mark = logged.find(kMark); mark != std::string::npos) {
    const size_t ctx = logged.rfind(" {", mark);
    logged.resize(ctx == std::string::npos ? mark : ctx);
  }
  if (!logged.empty() && logged.find("Uncaught ") == std::string::npos)
    setField(out.context, "log_message", JsonValue(std::move(logged)));
  return true;
}

// A header's level decides a line alone; lines below it (a PHP fatal error's) may raise it.
void eventLevel(const Header& h, EventStart& start) {
  start.level = h.level;
  start.if_alone = true;
}

class GenericParser final : public HeaderFormat<Header, parseHeader, 0, eventLevel> {
 public:
  std::string_view name() const override { return "generic"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level && ev.lines.size() == 1) return ParseStatus::kBelowLevel;
    fillTextRecord(ev, h.level, h.time, h.module, h.message, out);
    if (out.level < min_level) return ParseStatus::kBelowLevel;
    if (out.exception_type.empty() && text::startsWith(h.message, "Traceback (most recent")) {
      // The header's message opens a Python traceback (vdsm writes it so): read the trace
      // from there.
      std::vector<std::string_view> lines(ev.lines.begin(), ev.lines.end());
      lines[0] = h.message;
      analyzeTrace(lines, out, true);
    }
    if (out.exception_type.empty()) readLaravelException(ev, out);
    if (h.status > 0) setField(out.response_info, "status_code", JsonValue(int64_t{h.status}));
    if (!h.request_id.empty()) setField(out.request_info, "request_id", JsonValue(h.request_id));
    if (!h.method.empty()) {
      setField(out.request_info, "method", JsonValue(h.method));
      setField(out.request_info, "path", JsonValue(h.path));
    }
    if (!h.client_ip.empty()) setField(out.request_info, "client_ip", JsonValue(h.client_ip));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeGenericParser() { return std::make_unique<GenericParser>(); }

}  // namespace homeo
