#include "parsers/dotnet/dotnet_console_parser.h"

#include <string>

#include "parsers/crash.h"
#include "parsers/header_format.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

struct Header {
  std::optional<CivilTime> time;
  Level level = Level::kInfo;
  std::string_view category;
  std::string_view event_id;
  std::string_view message;  // SingleLine: the message on the header line
};

std::optional<Level> dotnetLevel(std::string_view w) {
  if (w == "info") return Level::kInfo;
  if (w == "warn") return Level::kWarning;
  if (w == "fail") return Level::kError;
  if (w == "crit") return Level::kCritical;
  if (w == "dbug" || w == "trce") return Level::kDebug;
  return std::nullopt;
}

bool parseHeader(std::string_view line, Header& h) {
  std::string_view s = line;
  if (!s.empty() && (text::isDigit(s[0]) || s[0] == '[')) {
    // TimestampFormat: "yyyy-MM-dd HH:mm:ss " or "[yyyy-MM-dd HH:mm:ss] ".
    const bool bracketed = s[0] == '[';
    if (bracketed) s.remove_prefix(1);
    size_t used = 0;
    auto t = parseTimestampPrefix(s, &used);
    if (!t || used < 19) return false;
    s.remove_prefix(used);
    if (bracketed) {
      if (s.empty() || s[0] != ']') return false;
      s.remove_prefix(1);
    }
    h.time = t;
    s = text::trimLeft(s);
  }
  if (s.size() < 9 || s[4] != ':' || s[5] != ' ') return false;
  const auto level = dotnetLevel(s.substr(0, 4));
  if (!level) return false;
  s.remove_prefix(6);
  // "Category[EventId]": a dotted name, the id in brackets.
  const size_t open = s.find('[');
  if (open == 0 || open == std::string_view::npos) return false;
  const size_t close = s.find(']', open);
  if (close == std::string_view::npos || close == open + 1) return false;
  for (size_t i = 0; i < open; ++i) {
    if (!text::isIdentChar(s[i]) && s[i] != '.' && s[i] != '`' && s[i] != '+') return false;
  }
  const std::string_view id = s.substr(open + 1, close - open - 1);
  if (!text::parseUint(id)) return false;
  h.level = *level;
  h.category = s.substr(0, open);
  h.event_id = id;
  h.message = text::trim(s.substr(close + 1));
  return true;
}

class DotnetConsoleParser final : public HeaderFormat<Header, parseHeader, 90> {
 public:
  std::string_view name() const override { return "dotnet_console"; }

  // The message and the exception are indented below the header.
  bool continuesEvent(std::span<const std::string_view>, std::string_view line) const override {
    return !line.empty() && text::isSpace(line[0]);
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    // The message: the header's rest (SingleLine) or the indented lines up to the exception.
    message_.assign(h.message);
    size_t trace = 1;
    for (; trace < ev.lines.size(); ++trace) {
      const std::string_view l = text::trim(ev.lines[trace]);
      if (trace + 1 < ev.lines.size() && startsAtTrace(l, ev.lines[trace + 1])) break;
      if (l.empty()) continue;
      if (!message_.empty()) message_.push_back('\n');
      message_.append(l);
    }
    out.level = h.level;
    if (h.time) out.time = toUnixNanos(*h.time);
    out.module.assign(h.category);
    out.message = message_;
    if (trace < ev.lines.size() && analyzeTrace(ev.lines.subspan(trace), out, true) &&
        !message_.empty()) {
      setField(out.context, "log_message", JsonValue(message_));
    }
    if (auto id = text::parseUint(h.event_id)) setField(out.context, "event_id", JsonValue(*id));
    return ParseStatus::kRecord;
  }

 private:
  std::string message_;
};

}  // namespace

std::unique_ptr<Parser> makeDotnetConsoleParser() {
  return std::make_unique<DotnetConsoleParser>();
}

}  // namespace homeo
