#include "parsers/winston/winston_parser.h"

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  std::optional<CivilTime> time;
  Level level = Level::kInfo;
  std::string_view label;
  std::string_view message;
  int confidence = 0;
};

// winston's level names, lower case as it writes them.
std::optional<Level> winstonLevel(std::string_view w) {
  switch (w.size()) {
    case 4:
      if (w == "warn") return Level::kWarning;
      if (w == "info" || w == "http") return Level::kInfo;
      if (w == "crit") return Level::kCritical;
      break;
    case 5:
      if (w == "error") return Level::kError;
      if (w == "debug" || w == "silly") return Level::kDebug;
      if (w == "emerg" || w == "alert") return Level::kCritical;
      break;
    case 6:
      if (w == "notice") return Level::kInfo;
      break;
    case 7:
      if (w == "verbose") return Level::kDebug;
      if (w == "warning") return Level::kWarning;
      break;
    default:
      break;
  }
  return std::nullopt;
}

// Skips a terminal colour sequence ("\x1b[31m") at the start of s.
void skipColour(std::string_view& s) {
  if (s.size() < 3 || s[0] != '\x1b' || s[1] != '[') return;
  size_t i = 2;
  while (i < s.size() && (text::isDigit(s[i]) || s[i] == ';')) ++i;
  if (i < s.size() && s[i] == 'm') s.remove_prefix(i + 1);
}

bool parseHeader(std::string_view line, Header& h) {
  std::string_view s = line;
  size_t used = 0;
  if (!s.empty() && text::isDigit(s[0])) {
    auto t = parseTimestampPrefix(s, &used);
    if (!t || used < 19 || used >= s.size() || s[used] != ' ') return false;
    h.time = t;
    s = text::trimLeft(s.substr(used));
  }
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find("] ");
    if (close == std::string_view::npos || close > 64) return false;
    h.label = s.substr(1, close - 1);
    s.remove_prefix(close + 2);
  }
  skipColour(s);
  size_t n = 0;
  while (n < s.size() && s[n] >= 'a' && s[n] <= 'z') ++n;
  const auto level = winstonLevel(s.substr(0, n));
  if (!level) return false;
  s.remove_prefix(n);
  skipColour(s);
  if (s.empty() || s[0] != ':' || (s.size() > 1 && s[1] != ' ')) return false;
  h.level = *level;
  h.message = text::trimLeft(s.substr(1));
  // Without a time, "error: msg" is also what compilers and command-line tools print.
  h.confidence = h.time ? 85 : !h.label.empty() ? 60 : 40;
  return true;
}

class WinstonParser final : public HeaderFormat<Header, parseHeader> {
 public:
  std::string_view name() const override { return "winston"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    fillTextRecord(ev, h.level, h.time, h.label, h.message, out);
    if (!h.time) readSimpleTimestamp(h.message, out);
    return ParseStatus::kRecord;
  }

 private:
  // format.simple() writes the info object's other keys as JSON after the message: with
  // format.timestamp() that holds the time.
  static void readSimpleTimestamp(std::string_view message, ErrorRecord& out) {
    constexpr std::string_view kKey = "\"timestamp\":\"";
    const size_t k = message.rfind(kKey);
    if (k == std::string_view::npos) return;
    const std::string_view rest = message.substr(k + kKey.size());
    const size_t q = rest.find('"');
    if (q == std::string_view::npos) return;
    if (auto t = parseTimestamp(rest.substr(0, q))) out.time = *t;
  }
};

}  // namespace

std::unique_ptr<Parser> makeWinstonParser() { return std::make_unique<WinstonParser>(); }

}  // namespace homeo
