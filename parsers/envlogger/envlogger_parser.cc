#include "parsers/envlogger/envlogger_parser.h"

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view target;
  std::string_view message;
};

// env_logger writes ERROR WARN INFO DEBUG TRACE, upper case.
std::optional<Level> rustLevel(std::string_view w) {
  if (w == "ERROR") return Level::kError;
  if (w == "WARN") return Level::kWarning;
  if (w == "INFO") return Level::kInfo;
  if (w == "DEBUG" || w == "TRACE") return Level::kDebug;
  return std::nullopt;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 24 || line[0] != '[' || !text::isDigit(line[1])) return false;
  std::string_view s = line.substr(1);
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  // RFC 3339 with its zone, as env_logger writes it.
  if (!t || used < 20 || !t->utc_offset || used >= s.size() || s[used] != ' ') return false;
  s = text::trimLeft(s.substr(used));
  const size_t close = s.find(']');
  if (close == std::string_view::npos) return false;
  std::string_view inside = s.substr(0, close);
  const size_t sp = inside.find(' ');
  const auto level = rustLevel(inside.substr(0, sp));
  if (!level) return false;
  if (sp != std::string_view::npos) {
    h.target = text::trim(inside.substr(sp));
    if (h.target.find(' ') != std::string_view::npos) return false;
  }
  h.time = *t;
  h.level = *level;
  h.message = text::trimLeft(s.substr(close + 1));
  return true;
}

class EnvLoggerParser final : public HeaderFormat<Header, parseHeader, 90> {
 public:
  std::string_view name() const override { return "env_logger"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    fillTextRecord(ev, h.level, h.time, h.target, h.message, out);
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeEnvLoggerParser() { return std::make_unique<EnvLoggerParser>(); }

}  // namespace homeo
