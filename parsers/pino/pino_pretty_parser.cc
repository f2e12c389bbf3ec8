#include "parsers/pino/pino_pretty_parser.h"

#include <string>

#include "parsers/console_line.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  std::optional<CivilTime> time;
  bool time_of_day = false;
  UnixNanos epoch = 0;  // epoch milliseconds as pino wrote them
  Level level = Level::kInfo;
  std::string_view name;
  std::string_view pid;
  std::string_view hostname;
  std::string_view message;
};

std::optional<Level> pinoLevel(std::string_view w) {
  if (w == "INFO" || w == "USERLVL") return Level::kInfo;
  if (w == "ERROR") return Level::kError;
  if (w == "WARN") return Level::kWarning;
  if (w == "DEBUG" || w == "TRACE") return Level::kDebug;
  if (w == "FATAL") return Level::kCritical;
  return std::nullopt;
}

bool allDigits(std::string_view s) {
  for (char c : s) {
    if (!text::isDigit(c)) return false;
  }
  return !s.empty();
}

// "name/1234 on host", "1234 on host", "1234", "name": who wrote the line.
bool readOrigin(std::string_view s, Header& h) {
  const size_t on = s.find(" on ");
  if (on != std::string_view::npos) {
    h.hostname = s.substr(on + 4);
    if (h.hostname.empty() || h.hostname.find(' ') != std::string_view::npos) return false;
    s = s.substr(0, on);
  }
  const size_t slash = s.rfind('/');
  const std::string_view pid = slash == std::string_view::npos ? s : s.substr(slash + 1);
  if (allDigits(pid)) {
    h.pid = pid;
    if (slash != std::string_view::npos) h.name = s.substr(0, slash);
  } else {
    if (on != std::string_view::npos) return false;
    h.name = s;
  }
  return !s.empty() && s.find(' ') == std::string_view::npos;
}

// `line` without its colours.
bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 16 || line[0] != '[' || !text::isDigit(line[1])) return false;
  const size_t close = line.find("] ", 1);
  if (close == std::string_view::npos || close > 40) return false;
  const std::string_view ts = line.substr(1, close - 1);
  size_t used = 0;
  if (ts.size() >= 8 && ts[2] == ':') {
    const auto t = parseTimeOfDay(ts, &used);
    if (!t || used != ts.size()) return false;
    h.time = t;
    h.time_of_day = true;
  } else if (allDigits(ts)) {
    if (ts.size() < 12 || ts.size() > 13) return false;  // epoch milliseconds
    const auto ns = parseTimestamp(ts);
    if (!ns) return false;
    h.epoch = *ns;
  } else {
    const auto t = parseTimestampPrefix(ts, &used);
    if (!t || used < 19 || text::trim(ts.substr(used)).size() > 0) return false;
    h.time = t;
  }
  std::string_view s = text::trimLeft(line.substr(close + 2));  // bunyan pads " INFO"
  size_t n = 0;
  while (n < s.size() && s[n] >= 'A' && s[n] <= 'Z') ++n;
  const auto level = pinoLevel(s.substr(0, n));
  if (!level) return false;
  h.level = *level;
  s.remove_prefix(n);
  if (!s.empty() && s[0] == ' ') s.remove_prefix(1);  // pino-pretty 2 padded "INFO "
  if (text::startsWith(s, " (") || text::startsWith(s, "(")) {
    // pino-pretty: "(name/pid on host): msg"
    s = text::trimLeft(s);
    const size_t end = s.find("):");
    if (end == std::string_view::npos || !readOrigin(s.substr(1, end - 1), h)) return false;
    s.remove_prefix(end + 1);
  }
  if (s.empty() || s[0] != ':') return false;
  s = text::trimLeft(s.substr(1));
  // bunyan: "name/pid on host: msg", "name/pid on host (/app/x.js:10 in f): msg"
  if (h.pid.empty() && h.name.empty()) {
    const size_t on = s.find(" on ");
    const size_t colon = s.find(": ");
    if (on != std::string_view::npos && colon != std::string_view::npos && on < colon &&
        colon < 160) {
      std::string_view origin = s.substr(0, colon);
      const size_t src = origin.find(" (", on);
      if (src != std::string_view::npos) origin = origin.substr(0, src);
      Header o;
      if (readOrigin(origin, o) && !o.pid.empty()) {
        h.name = o.name;
        h.pid = o.pid;
        h.hostname = o.hostname;
        s.remove_prefix(colon + 2);
      }
    }
  }
  h.message = s;
  return true;
}

bool parseRaw(std::string_view line, Header& h, std::string& scratch) {
  return parseHeader(console::stripAnsi(line, scratch), h);
}

std::string& probeScratch() {
  thread_local std::string s;
  return s;
}

class PinoPrettyParser final : public Parser {
 public:
  std::string_view name() const override { return "pino_pretty"; }

  int probe(std::string_view line) const override {
    Header h;
    if (!parseRaw(line, h, probeScratch())) return 0;
    return h.pid.empty() && h.name.empty() ? 60 : 85;
  }

  bool startsEvent(std::string_view line) const override {
    Header h;
    return parseRaw(line, h, probeScratch());
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseRaw(ev.lines[0], h, scratch_)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    if (h.time_of_day) dateToday(*h.time);
    fillTextRecord(ev, h.level, h.time, h.name, h.message, out);
    if (h.epoch != 0) out.time = h.epoch;
    if (const auto pid = text::parseUint(h.pid)) setField(out.context, "pid", JsonValue(*pid));
    if (!h.hostname.empty()) setField(out.context, "hostname", JsonValue(h.hostname));
    return ParseStatus::kRecord;
  }

 private:
  std::string scratch_;
};

}  // namespace

std::unique_ptr<Parser> makePinoPrettyParser() { return std::make_unique<PinoPrettyParser>(); }

}  // namespace homeo
