#include "parsers/java/java_parser.h"

#include <algorithm>
#include <vector>

#include "parsers/correlation.h"
#include "parsers/header_format.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

struct Header {
  std::optional<CivilTime> time;
  Level level = Level::kInfo;
  std::string_view thread;
  std::string_view logger;
  std::string_view message;
  std::string_view trace_id;  // Spring Boot's correlation ids (Micrometer tracing, Sleuth)
  std::string_view span_id;
  int confidence = 0;
};

// Spring Boot's correlation bracket (parsers/correlation.h). Fills the ids it finds; false
// when the bracket is something else (a thread name). Blank: no trace was open.
bool takeCorrelation(std::string_view inside, Header& h) {
  if (text::trim(inside).empty()) return true;
  const auto ids = correlation::parseSpringBracket(inside);
  if (!ids) return false;
  h.trace_id = ids->trace_id;
  h.span_id = ids->span_id;
  return true;
}

// Java writes level names in capitals, padded with spaces (%-5level).
std::optional<Level> javaLevel(std::string_view w) {
  if (w.size() < 4 || w.size() > 7) return std::nullopt;
  for (char c : w) {
    if (c < 'A' || c > 'Z') return std::nullopt;
  }
  return parseLevel(w);
}

bool takeBracket(std::string_view& s, std::string_view& inside) {
  if (s.empty() || s[0] != '[') return false;
  // Thread names may hold brackets ("QuorumPeer[myid=1]/0.0.0.0:2181"): match them.
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') ++depth;
    if (s[i] == ']' && --depth == 0) {
      inside = s.substr(1, i - 1);
      s = text::trimLeft(s.substr(i + 1));
      return true;
    }
  }
  return false;
}

// "logger - msg" | "logger : msg" | "logger: msg" | "- msg"
void takeLoggerAndMessage(std::string_view s, Header& h) {
  if (text::startsWith(s, "- ")) {
    h.message = s.substr(2);
    return;
  }
  std::string_view rest = s;
  const std::string_view word = text::nextToken(rest);
  rest = text::trimLeft(rest);
  if (word.size() > 1 && word.back() == ':') {
    h.logger = word.substr(0, word.size() - 1);
    h.message = rest;
  } else if (text::startsWith(rest, "- ") || text::startsWith(rest, ": ")) {
    h.logger = word;
    h.message = rest.substr(2);
  } else {
    h.message = s;
  }
}

// A Java class or logger name: dotted identifiers, or a capitalised one (CassandraDaemon.java:687
// and abbreviated o.e.c.Foo included).
bool looksLikeLogger(std::string_view w) {
  if (w.size() < 3) return false;
  bool dot = false;
  for (char c : w) {
    if (c == '.') {
      dot = true;
    } else if (!text::isIdentChar(c) && c != '$' && c != ':') {
      return false;
    }
  }
  return dot || (w[0] >= 'A' && w[0] <= 'Z');
}

// Layouts that start with brackets: Kafka "[ts] LEVEL msg (logger)", Elasticsearch
// "[ts][LEVEL][logger] msg", Maven/log4j "[ERROR] msg".
bool parseBracketed(std::string_view line, Header& h) {
  std::string_view s = line.substr(1);
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  if (t && used >= 19 && used < s.size() && s[used] == ']') {
    h.time = t;
    s = s.substr(used + 1);
    std::string_view inside;
    if (takeBracket(s, inside)) {  // Elasticsearch
      const auto level = javaLevel(text::trim(inside));
      if (!level) return false;
      h.level = *level;
      if (takeBracket(s, inside)) h.logger = text::trim(inside);
      h.message = s;
      h.confidence = 90;
      return true;
    }
    s = text::trimLeft(s);
    const auto level = javaLevel(text::nextToken(s));
    if (!level) return false;
    h.level = *level;
    h.message = text::trimLeft(s);
    h.confidence = 70;
    // Kafka names the logger last, in parentheses.
    std::string_view m = text::trimRight(h.message);
    if (!m.empty() && m.back() == ')') {
      const size_t open = m.rfind(" (");
      if (open != std::string_view::npos &&
          looksLikeLogger(m.substr(open + 2, m.size() - open - 3))) {
        h.logger = m.substr(open + 2, m.size() - open - 3);
        h.message = m.substr(0, open);
        h.confidence = 90;
      }
    }
    return true;
  }
  // "[ERROR] msg"
  const size_t close = line.find("] ");
  if (close == std::string_view::npos || close > 8) return false;
  const auto level = javaLevel(line.substr(1, close - 1));
  if (!level) return false;
  h.level = *level;
  h.message = line.substr(close + 2);
  h.confidence = 50;
  return true;
}

// Cassandra: "LEVEL  [thread] ts File.java:687 - msg".
bool parseLevelFirst(std::string_view line, Header& h) {
  std::string_view s = line;
  const auto level = javaLevel(text::nextToken(s));
  if (!level) return false;
  s = text::trimLeft(s);
  if (!takeBracket(s, h.thread)) return false;
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  if (!t || used < 19) return false;
  h.time = t;
  h.level = *level;
  takeLoggerAndMessage(text::trimLeft(s.substr(used)), h);
  h.confidence = 90;
  return true;
}

// Tomcat: "21-Jul-2025 01:02:43.123 LEVEL [thread] logger msg".
bool parseTomcat(std::string_view line, Header& h) {
  int d, y, hh, mi, sec;
  if (line.size() < 30 || line[2] != '-' || line[6] != '-' || line[11] != ' ' ||
      !readDigits(line, 0, 2, &d) || !readDigits(line, 7, 4, &y) || !readDigits(line, 12, 2, &hh) ||
      !readDigits(line, 15, 2, &mi) || !readDigits(line, 18, 2, &sec))
    return false;
  const int month = monthFromAbbrev(line.substr(3, 3));
  if (month == 0) return false;
  std::string_view s = line.substr(20);
  int64_t nanos = 0;
  if (!s.empty() && s[0] == '.') {
    s.remove_prefix(1);
    int n = 0;
    for (; !s.empty() && text::isDigit(s[0]); s.remove_prefix(1), ++n) {
      if (n < 9) nanos = nanos * 10 + (s[0] - '0');
    }
    for (; n < 9; ++n) nanos *= 10;
  }
  const auto level = javaLevel(text::nextToken(s));
  if (!level) return false;
  s = text::trimLeft(s);
  if (!takeBracket(s, h.thread)) return false;
  CivilTime t;
  t.year = y;
  t.month = month;
  t.day = d;
  t.hour = hh;
  t.minute = mi;
  t.second = sec;
  t.nanos = nanos;
  h.time = t;
  h.level = *level;
  std::string_view rest = s;
  const std::string_view logger = text::nextToken(rest);
  if (looksLikeLogger(logger)) {
    h.logger = logger;
    h.message = text::trimLeft(rest);
  } else {
    h.message = s;
  }
  h.confidence = 90;
  return true;
}

// JBoss LogManager's "[%c] (%t) %s%e" after the level (WildFly, JBoss EAP, Quarkus): the
// category in brackets, the thread in parentheses. `s` starts at the bracket.
bool takeCategoryAndThread(std::string_view s, Header& h) {
  std::string_view category;
  if (!takeBracket(s, category) || s.empty() || s[0] != '(' || !looksLikeLogger(category))
    return false;
  const size_t close = s.find(") ");
  if (close == std::string_view::npos) return false;
  h.logger = category;
  h.thread = s.substr(1, close - 1);
  h.message = s.substr(close + 2);
  return true;
}

// Jetty's default: "2024-03-11 19:45:10.123:WARN :oejs.HttpChannel:qtp1406718218-33: msg"
// (the level padded to five in 10+, not in 9); `s` starts at the colon after the time.
bool parseJetty(std::string_view s, Header& h) {
  const size_t level_end = s.find(':', 1);
  if (level_end == std::string_view::npos) return false;
  const auto level = javaLevel(text::trimRight(s.substr(1, level_end - 1)));
  if (!level) return false;
  s.remove_prefix(level_end + 1);
  const size_t logger_end = s.find(':');
  if (logger_end == std::string_view::npos || !looksLikeLogger(s.substr(0, logger_end)))
    return false;
  h.logger = s.substr(0, logger_end);
  s.remove_prefix(logger_end + 1);
  const size_t thread_end = s.find(": ");
  if (thread_end == std::string_view::npos) return false;
  h.thread = s.substr(0, thread_end);
  h.message = s.substr(thread_end + 2);
  h.level = *level;
  h.confidence = 90;
  return true;
}

// log4j2's default layout, "%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg", and
// logback's when no configuration is found ("... %logger{36} -%kvp- %msg"): the time of day
// only.
bool parseClockLayout(std::string_view line, Header& h) {
  size_t used = 0;
  auto t = parseTimeOfDay(line, &used);
  if (!t || used >= line.size() || line[used] != ' ') return false;
  std::string_view s = text::trimLeft(line.substr(used));
  if (!s.empty() && s[0] != '[') {
    // WildFly's and JBoss EAP's "%d{HH:mm:ss,SSS} %-5p [%c] (%t) %s%e".
    const auto level = javaLevel(text::nextToken(s));
    if (!level || !takeCategoryAndThread(text::trimLeft(s), h)) return false;
    h.time = t;  // dated in parse()
    h.level = *level;
    h.confidence = 85;
    return true;
  }
  if (!takeBracket(s, h.thread)) return false;
  const auto level = javaLevel(text::nextToken(s));
  if (!level) return false;
  s = text::trimLeft(s);
  const std::string_view logger = text::nextToken(s);
  if (!looksLikeLogger(logger)) return false;
  s = text::trimLeft(s);
  if (text::startsWith(s, "-- ")) {
    s.remove_prefix(3);
  } else if (text::startsWith(s, "- ")) {
    s.remove_prefix(2);
  } else {
    return false;
  }
  h.time = t;  // dated in parse(), once the level is known to count
  h.level = *level;
  h.logger = logger;
  h.message = s;
  h.confidence = 85;
  return true;
}

bool parseHeader(std::string_view line, Header& h) {
  std::string_view s = line;
  if (line.empty()) return false;
  if (line.size() > 8 && line[2] == ':' && text::isDigit(line[0])) return parseClockLayout(line, h);
  if (text::isDigit(line[0]) && line.size() > 3 && line[2] == '-' && text::isAlpha(line[3]))
    return parseTomcat(line, h);
  if (text::isAlpha(line[0])) return parseLevelFirst(line, h);
  if (text::startsWith(s, "[")) return parseBracketed(line, h);
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  if (!t || used < 19) return false;
  h.time = t;
  if (used < s.size() && s[used] == ':') return parseJetty(s.substr(used), h);
  s = text::trimLeft(s.substr(used));
  if (text::startsWith(s, "[myid:")) {  // ZooKeeper 3.5+
    const size_t close = s.find("] ");
    if (close == std::string_view::npos) return false;
    s = text::trimLeft(s.substr(close + 2));
  }
  if (text::startsWith(s, "- ")) s.remove_prefix(2);  // ZooKeeper
  std::string_view rest = s;
  if (!s.empty() && s[0] == '[') {
    // "[thread] LEVEL logger - msg"
    if (!takeBracket(rest, h.thread)) return false;
    const auto level = javaLevel(text::nextToken(rest));
    if (!level) return false;
    h.level = *level;
    takeLoggerAndMessage(text::trimLeft(rest), h);
    h.confidence = 90;
    return true;
  }
  const auto level = javaLevel(text::nextToken(rest));
  if (!level) return false;
  h.level = *level;
  rest = text::trimLeft(rest);
  // Spring Boot 2 with Sleuth: "ERROR [app,traceId,spanId,true] 1234 --- ..."
  if (!rest.empty() && rest[0] == '[') {
    std::string_view after = rest;
    std::string_view inside;
    Header ids;
    if (takeBracket(after, inside) && inside.find(',') != std::string_view::npos &&
        takeCorrelation(inside, ids)) {
      std::string_view probe = after;
      if (text::parseUint(text::nextToken(probe)) &&
          text::startsWith(text::trimLeft(probe), "--- ")) {
        h.trace_id = ids.trace_id;
        h.span_id = ids.span_id;
        rest = text::trimLeft(after);
      }
    }
  }
  // Spring Boot: "1234 --- [app] [main] [traceId-spanId] logger : msg"
  std::string_view sb = rest;
  const std::string_view pid = text::nextToken(sb);
  if (text::parseUint(pid) && text::startsWith(text::trimLeft(sb), "--- ")) {
    sb = text::trimLeft(text::trimLeft(sb).substr(4));
    std::string_view inside;
    while (takeBracket(sb, inside)) {
      if (!takeCorrelation(inside, h)) h.thread = inside;
    }
    takeLoggerAndMessage(sb, h);
    h.confidence = 95;
    return true;
  }
  if (!rest.empty() && rest[0] == '[' && takeCategoryAndThread(rest, h)) {  // Quarkus
    h.confidence = 90;
    return true;
  }
  if (!rest.empty() && rest[0] == '[' && takeBracket(rest, h.thread)) {
    if (text::startsWith(rest, "- ")) {
      h.message = rest.substr(2);
    } else {
      takeLoggerAndMessage(rest, h);
    }
    h.confidence = 90;
    return true;
  }
  // "LEVEL a.b.Logger: msg" (Hadoop daemons), "LEVEL a.b.Logger [] - msg" (Flink),
  // "LEVEL a.b.Logger - msg".
  std::string_view r2 = rest;
  std::string_view logger = text::nextToken(r2);
  r2 = text::trimLeft(r2);
  if (logger.size() > 1 && logger.back() == ':') logger.remove_suffix(1);
  if (looksLikeLogger(logger) && logger.find('.') != std::string_view::npos) {
    if (text::startsWith(r2, "[")) {
      std::string_view inside;
      if (takeBracket(r2, inside) && !inside.empty()) h.thread = inside;
    }
    if (text::startsWith(r2, "- ")) r2.remove_prefix(2);
    h.logger = logger;
    h.message = r2;
    h.confidence = 88;
    return true;
  }
  return false;
}

// Where JBoss LogManager's "%s%e" (WildFly, Quarkus) put the exception: after the message, as
// ": java.lang.IllegalStateException: msg", with its `at` lines below. npos when the message
// names no qualified exception type after a ": ".
size_t exceptionInMessage(std::string_view msg) {
  for (size_t at = msg.find(": "); at != std::string_view::npos; at = msg.find(": ", at + 2)) {
    const std::string_view rest = msg.substr(at + 2);
    const size_t end = std::min(rest.find(": "), rest.size());
    const std::string_view type = rest.substr(0, end);
    if (type.find('.') != std::string_view::npos && text::looksLikeExceptionType(type)) {
      return at + 2;
    }
  }
  return std::string_view::npos;
}

void eventLevel(const Header& h, EventStart& start) { start.level = h.level; }

class JavaParser final : public HeaderFormat<Header, parseHeader, 0, eventLevel> {
 public:
  std::string_view name() const override { return "java"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    if (h.time && h.time->year == 0) dateToday(*h.time);
    fillTextRecord(ev, h.level, h.time, h.logger, h.message, out);
    if (out.exception_type.empty() && ev.lines.size() > 1) readExceptionInHeader(ev, h, out);
    if (!h.thread.empty()) setField(out.context, "thread", JsonValue(h.thread));
    // The trace id is what ties the lines of one request together: its request id.
    if (!h.trace_id.empty()) setField(out.request_info, "request_id", JsonValue(h.trace_id));
    correlation::setTraceIds(out, h.trace_id, h.span_id);
    return ParseStatus::kRecord;
  }

 private:
  // The header's message ends with the exception and the lines below are its frames: the trace
  // is read from the exception on, the sentence before it kept as context.log_message.
  void readExceptionInHeader(const LogEvent& ev, const Header& h, ErrorRecord& out) {
    const std::string_view first = text::trimLeft(ev.lines[1]);
    if (!text::startsWith(first, "at ")) return;
    const std::string_view msg = text::trimRight(h.message);
    const size_t at = exceptionInMessage(msg);
    if (at == std::string_view::npos) return;
    lines_.assign(ev.lines.begin(), ev.lines.end());
    lines_[0] = msg.substr(at);
    if (!analyzeTrace(lines_, out, true) || out.exception_type.empty()) return;
    const std::string_view logged = text::trimRight(msg.substr(0, at - 2));
    if (!logged.empty()) setField(out.context, "log_message", JsonValue(logged));
  }

  std::vector<std::string_view> lines_;  // scratch, reused
};

}  // namespace

std::unique_ptr<Parser> makeJavaParser() { return std::make_unique<JavaParser>(); }

}  // namespace homeo
