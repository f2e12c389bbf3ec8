#include "parsers/logcat/logcat_parser.h"

#include "common/timeutil.h"
#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  std::optional<CivilTime> time;
  Level level = Level::kInfo;
  std::string_view tag;
  std::string_view message;
  std::string_view pid;
  int confidence = 0;
};

std::optional<Level> logcatLevel(char c) {
  switch (c) {
    case 'V':
    case 'D':
    case 'I':
    case 'W':
    case 'E':
    case 'F':
    case 'A':
      return levelFromLetter(c);
    default:
      return std::nullopt;
  }
}

// "MM-DD hh:mm:ss.mmm" (logcat writes no year: the current one is assumed).
bool parseTime(std::string_view s, CivilTime& t) {
  int mo, d, h, mi, sec, ms;
  if (s.size() < 18 || s[2] != '-' || s[5] != ' ' || s[8] != ':' || s[11] != ':' || s[14] != '.' ||
      !readDigits(s, 0, 2, &mo) || !readDigits(s, 3, 2, &d) || !readDigits(s, 6, 2, &h) ||
      !readDigits(s, 9, 2, &mi) || !readDigits(s, 12, 2, &sec) || !readDigits(s, 15, 3, &ms))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  t = CivilTime{};
  t.year = 0;  // filled in by parse(): the clock is read only for records
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = sec;
  t.nanos = int64_t{ms} * 1000000;
  return true;
}

// "E/Tag( 1234): message"
bool parseBrief(std::string_view s, Header& h) {
  if (s.size() < 4 || s[1] != '/') return false;
  const auto level = logcatLevel(s[0]);
  if (!level) return false;
  const size_t open = s.find('(', 2);
  if (open == std::string_view::npos) return false;
  const size_t close = s.find("): ", open);
  const bool bare_close =
      close == std::string_view::npos && text::startsWith(s.substr(s.size() - 1), ")");
  if (close == std::string_view::npos && !bare_close) return false;
  const std::string_view pid = text::trim(
      s.substr(open + 1, (close == std::string_view::npos ? s.size() - 1 : close) - open - 1));
  if (!text::parseUint(pid)) return false;
  h.level = *level;
  h.tag = text::trimRight(s.substr(2, open - 2));
  h.pid = pid;
  h.message = close == std::string_view::npos ? std::string_view() : s.substr(close + 3);
  h.confidence = 90;
  return true;
}

bool parseHeader(std::string_view line, Header& h) {
  CivilTime t;
  if (!parseTime(line, t)) return parseBrief(line, h);
  h.time = t;
  std::string_view s = line.substr(18);
  if (s.empty() || s[0] != ' ') return false;
  s = text::trimLeft(s);
  if (s.size() > 2 && s[1] == '/') {
    if (!parseBrief(s, h)) return false;
    h.confidence = 95;
    return true;
  }
  // threadtime: pid tid L tag: message
  const std::string_view pid = text::nextToken(s);
  const std::string_view tid = text::nextToken(s);
  if (!text::parseUint(pid) || !text::parseUint(tid)) return false;
  s = text::trimLeft(s);
  if (s.size() < 2 || s[1] != ' ') return false;
  const auto level = logcatLevel(s[0]);
  if (!level) return false;
  s.remove_prefix(2);
  const size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    h.tag = text::trim(s.substr(0, colon));
    h.message = s.substr(colon + 1);
  } else {
    h.message = s;
  }
  h.level = *level;
  h.pid = pid;
  h.confidence = 95;
  return true;
}

class LogcatParser final : public HeaderFormat<Header, parseHeader> {
 public:
  std::string_view name() const override { return "logcat"; }

  // Android writes a crash one line per frame, each with its own header; a line without a
  // header continues the previous entry only when it is indented (a wrapped trace).
  bool continuesEvent(std::span<const std::string_view>, std::string_view line) const override {
    return !line.empty() && text::isSpace(line[0]);
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    if (h.time) h.time->year = currentYear();
    fillTextRecord(ev, h.level, h.time, h.tag, h.message, out);
    if (auto pid = text::parseUint(h.pid)) setField(out.context, "pid", JsonValue(*pid));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeLogcatParser() { return std::make_unique<LogcatParser>(); }

}  // namespace homeo
