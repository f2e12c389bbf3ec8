#include "parsers/erlang/erlang_parser.h"

#include <string>

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view kind;  // "ERROR", "CRASH", ...
};

std::optional<Level> reportLevel(std::string_view w) {
  if (w == "ERROR" || w == "CRASH" || w == "SUPERVISOR") return Level::kError;
  if (w == "INFO" || w == "PROGRESS" || w == "NOTICE") return Level::kInfo;
  if (w == "WARNING") return Level::kWarning;
  if (w == "CRITICAL" || w == "ALERT" || w == "EMERGENCY") return Level::kCritical;
  if (w == "DEBUG") return Level::kDebug;
  return std::nullopt;
}

// "=ERROR REPORT==== 11-Mar-2024::19:45:10.123456 ==="
bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 36 || line[0] != '=') return false;
  const size_t sp = line.find(" REPORT==== ");
  if (sp == std::string_view::npos || sp > 11) return false;
  const auto level = reportLevel(line.substr(1, sp - 1));
  if (!level) return false;
  std::string_view s = line.substr(sp + 12);
  size_t used = 0;
  if (!parseDayMonthYear(s, h.time, &used) || s.substr(used, 2) != "::") return false;
  const auto tod = parseTimeOfDay(s.substr(used + 2), &used);
  if (!tod) return false;
  h.time.hour = tod->hour;
  h.time.minute = tod->minute;
  h.time.second = tod->second;
  h.time.nanos = tod->nanos;
  if (!text::startsWith(s.substr(13 + used), " ===")) return false;
  h.level = *level;
  h.kind = line.substr(1, sp - 1);
  return true;
}

class ErlangParser final : public HeaderFormat<Header, parseHeader, 95> {
 public:
  std::string_view name() const override { return "erlang"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    // The report is what follows the header, a term or text over several lines.
    message_.clear();
    for (size_t i = 1; i < ev.lines.size() && message_.size() < kMaxMessage; ++i) {
      const std::string_view l = text::trim(ev.lines[i]);
      if (l.empty()) continue;
      if (!message_.empty()) message_.push_back('\n');
      message_.append(l);
    }
    fillTextRecord(ev, h.level, h.time, {}, message_, out);
    setField(out.context, "report", JsonValue(h.kind));
    return ParseStatus::kRecord;
  }

 private:
  static constexpr size_t kMaxMessage = 4096;
  std::string message_;
};

}  // namespace

std::unique_ptr<Parser> makeErlangParser() { return std::make_unique<ErlangParser>(); }

}  // namespace homeo
