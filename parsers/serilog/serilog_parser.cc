#include "parsers/serilog/serilog_parser.h"

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view message;
};

std::optional<Level> serilogLevel(std::string_view w) {
  if (w == "INF") return Level::kInfo;
  if (w == "WRN") return Level::kWarning;
  if (w == "ERR") return Level::kError;
  if (w == "FTL") return Level::kCritical;
  if (w == "DBG" || w == "VRB") return Level::kDebug;
  return std::nullopt;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 14 || line[0] != '[') return false;
  size_t used = 0;
  auto t = parseTimeOfDay(line.substr(1), &used);
  // "[19:45:10 ERR] ": three letters, then the bracket.
  if (!t || used != 8 || line.size() < 15 || line[9] != ' ' || line[13] != ']') return false;
  const auto level = serilogLevel(line.substr(10, 3));
  if (!level) return false;
  h.time = *t;
  h.level = *level;
  h.message = line.substr(14);
  return true;
}

class SerilogParser final : public HeaderFormat<Header, parseHeader, 90> {
 public:
  std::string_view name() const override { return "serilog"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    dateToday(h.time);
    fillTextRecord(ev, h.level, h.time, {}, h.message, out);
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeSerilogParser() { return std::make_unique<SerilogParser>(); }

}  // namespace homeo
