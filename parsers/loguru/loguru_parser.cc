#include "parsers/loguru/loguru_parser.h"

#include <vector>

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view name;
  std::string_view function;
  int64_t line = 0;
  std::string_view message;
  int confidence = 0;
};

std::optional<Level> loguruLevel(std::string_view w) {
  if (w == "INFO" || w == "SUCCESS") return Level::kInfo;
  if (w == "ERROR") return Level::kError;
  if (w == "WARNING") return Level::kWarning;
  if (w == "DEBUG" || w == "TRACE") return Level::kDebug;
  if (w == "CRITICAL") return Level::kCritical;
  return std::nullopt;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 40 || !text::isDigit(line[0])) return false;
  size_t used = 0;
  const auto t = parseTimestampPrefix(line, &used);
  if (!t || used < 19 || line.substr(used, 3) != " | ") return false;
  std::string_view s = line.substr(used + 3);
  size_t bar = s.find(" | ");
  if (bar == std::string_view::npos || bar > 32) return false;
  const std::string_view word = text::trimRight(s.substr(0, bar));
  if (word.empty()) return false;
  for (char c : word) {
    if (!(c >= 'A' && c <= 'Z') && c != '_') return false;
  }
  // A level added with logger.level() is INFO.
  const auto level = loguruLevel(word);
  s.remove_prefix(bar + 3);
  // "{name}:{function}:{line} - "
  const size_t dash = s.find(" - ");
  if (dash == std::string_view::npos) return false;
  const std::string_view where = s.substr(0, dash);
  const size_t c2 = where.rfind(':');
  if (c2 == std::string_view::npos || c2 == 0) return false;
  const auto n = text::parseUint(where.substr(c2 + 1));
  const size_t c1 = where.rfind(':', c2 - 1);
  if (!n || c1 == std::string_view::npos || c1 == 0) return false;
  h.time = *t;
  h.level = level.value_or(Level::kInfo);
  h.name = where.substr(0, c1);
  h.function = where.substr(c1 + 1, c2 - c1 - 1);
  h.line = *n;
  h.message = s.substr(dash + 3);
  h.confidence = level ? 95 : 60;
  return true;
}

// A line diagnose=True writes under a source line: the values of its variables.
bool isValueLine(std::string_view line) {
  const std::string_view t = text::trimLeft(line);
  return text::startsWith(t, "\xe2\x94\x94") || text::startsWith(t, "\xe2\x94\x82");  // └ │
}

class LoguruParser final : public HeaderFormat<Header, parseHeader> {
 public:
  std::string_view name() const override { return "loguru"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    // The traceback as Python writes it: without loguru's blank lines, variable values and
    // marks.
    lines_.clear();
    lines_.push_back(ev.lines[0]);
    for (size_t i = 1; i < ev.lines.size(); ++i) {
      std::string_view l = ev.lines[i];
      if (text::trim(l).empty() || isValueLine(l)) continue;
      if (text::startsWith(l, "> File \"")) l.remove_prefix(1);
      lines_.push_back(l);
    }
    fillTextRecord(LogEvent{lines_, ev.offset}, h.level, h.time, h.name, h.message, out);
    setField(out.context, "function", JsonValue(h.function));
    setField(out.context, "line", JsonValue(h.line));
    return ParseStatus::kRecord;
  }

 private:
  std::vector<std::string_view> lines_;
};

}  // namespace

std::unique_ptr<Parser> makeLoguruParser() { return std::make_unique<LoguruParser>(); }

}  // namespace homeo
