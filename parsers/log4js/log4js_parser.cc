#include "parsers/log4js/log4js_parser.h"

#include <string>

#include "parsers/console_line.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view category;
  std::string_view message;
};

std::optional<Level> log4jsLevel(std::string_view w) {
  if (w == "INFO" || w == "MARK") return Level::kInfo;
  if (w == "ERROR") return Level::kError;
  if (w == "WARN") return Level::kWarning;
  if (w == "DEBUG" || w == "TRACE") return Level::kDebug;
  if (w == "FATAL") return Level::kCritical;
  return std::nullopt;
}

// `line` without its colours.
bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 30 || line[0] != '[' || !text::isDigit(line[1])) return false;
  size_t used = 0;
  const auto t = parseTimestampPrefix(line.substr(1), &used);
  if (!t || used < 19 || line.substr(1 + used, 3) != "] [") return false;
  std::string_view s = line.substr(used + 4);
  const size_t close = s.find("] ");
  if (close == std::string_view::npos || close > 5) return false;
  const auto level = log4jsLevel(s.substr(0, close));
  if (!level) return false;
  s.remove_prefix(close + 2);
  // "%c - ": the category, a word.
  const size_t sep = s.find(" -");
  if (sep == std::string_view::npos || sep == 0 || sep > 128 ||
      s.substr(0, sep).find(' ') != std::string_view::npos ||
      (sep + 2 < s.size() && s[sep + 2] != ' '))
    return false;
  h.time = *t;
  h.level = *level;
  h.category = s.substr(0, sep);
  h.message = s.substr(std::min(s.size(), sep + 3));
  return true;
}

bool parseRaw(std::string_view line, Header& h, std::string& scratch) {
  return parseHeader(console::stripAnsi(line, scratch), h);
}

std::string& probeScratch() {
  thread_local std::string s;
  return s;
}

class Log4jsParser final : public Parser {
 public:
  std::string_view name() const override { return "log4js"; }

  int probe(std::string_view line) const override {
    Header h;
    return parseRaw(line, h, probeScratch()) ? 90 : 0;
  }

  bool startsEvent(std::string_view line) const override {
    Header h;
    return parseRaw(line, h, probeScratch());
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseRaw(ev.lines[0], h, scratch_)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    fillTextRecord(ev, h.level, h.time, h.category, h.message, out);
    return ParseStatus::kRecord;
  }

 private:
  std::string scratch_;
};

}  // namespace

std::unique_ptr<Parser> makeLog4jsParser() { return std::make_unique<Log4jsParser>(); }

}  // namespace homeo
