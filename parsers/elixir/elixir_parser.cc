#include "parsers/elixir/elixir_parser.h"

#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  bool dated = false;
  Level level = Level::kInfo;
  std::string_view metadata;  // "request_id=F7mQ2x8a9b pid=<0.1.0>" or empty
  std::string_view message;
  int confidence = 0;
};

std::optional<Level> elixirLevel(std::string_view w) {
  switch (w.size()) {
    case 4:
      if (w == "info") return Level::kInfo;
      if (w == "warn") return Level::kWarning;
      break;
    case 5:
      if (w == "error") return Level::kError;
      if (w == "debug") return Level::kDebug;
      if (w == "alert") return Level::kCritical;
      break;
    case 6:
      if (w == "notice") return Level::kInfo;
      break;
    case 7:
      if (w == "warning") return Level::kWarning;
      break;
    case 8:
      if (w == "critical") return Level::kCritical;
      break;
    case 9:
      if (w == "emergency") return Level::kCritical;
      break;
    default:
      break;
  }
  return std::nullopt;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 20 || !text::isDigit(line[0]) || !text::isDigit(line[1])) return false;
  size_t used = 0;
  if (line[2] == ':') {
    const auto t = parseTimeOfDay(line, &used);
    // $time is hh:mm:ss.mmm.
    if (!t || used != 12) return false;
    h.time = *t;
  } else {
    // "$date $time", as a format string can set it.
    const auto t = parseTimestampPrefix(line, &used);
    if (!t || used != 23 || line[10] != ' ') return false;
    h.time = *t;
    h.dated = true;
  }
  if (used >= line.size() || line[used] != ' ') return false;
  std::string_view s = line.substr(used + 1);
  // $metadata: "key=value " pairs, then the bracketed level.
  const size_t meta_start = used + 1;
  for (int tokens = 0; !s.empty() && s[0] != '['; ++tokens) {
    const size_t sp = s.find(' ');
    if (tokens >= 16 || sp == std::string_view::npos) return false;
    const size_t eq = s.find('=');
    if (eq == 0 || eq > sp) return false;
    s.remove_prefix(sp + 1);
  }
  const size_t close = s.find(']');
  if (close == std::string_view::npos || close > 10) return false;
  const auto level = elixirLevel(s.substr(1, close - 1));
  if (!level) return false;
  h.level = *level;
  h.metadata = text::trimRight(line.substr(meta_start, line.size() - s.size() - meta_start));
  h.message = text::trimLeft(s.substr(close + 1));
  // Dated lines are read, but do not make a file Elixir's: other Erlang-based servers
  // (RabbitMQ) write a date and a bracketed level too, and "timestamp + level word" is
  // generic's.
  h.confidence = h.dated ? 0 : 85;
  return true;
}

class ElixirParser final : public HeaderFormat<Header, parseHeader> {
 public:
  std::string_view name() const override { return "elixir"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    if (!h.dated) dateToday(h.time);
    fillTextRecord(ev, h.level, h.time, {}, h.message, out);
    std::string_view m = h.metadata;
    while (!m.empty()) {
      const std::string_view pair = text::nextToken(m);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      const std::string_view key = pair.substr(0, eq);
      const std::string_view value = pair.substr(eq + 1);
      setField(key == "request_id" ? out.request_info : out.context, key, JsonValue(value));
    }
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeElixirParser() { return std::make_unique<ElixirParser>(); }

}  // namespace homeo
