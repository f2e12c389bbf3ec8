#include "parsers/text/text_parser.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

bool isExceptionLine(std::string_view line) {
  const size_t colon = line.find(':');
  const std::string_view type = colon == std::string_view::npos ? line : line.substr(0, colon);
  return text::looksLikeExceptionType(text::trimRight(type));
}

class TextParser final : public Parser {
 public:
  std::string_view name() const override { return "text"; }

  int probe(std::string_view) const override { return 1; }

  // Never claims a line as a header: a line that no event continues starts a new text
  // event anyway (see EventAssembler).
  bool startsEvent(std::string_view) const override { return false; }

  bool continuesEvent(std::span<const std::string_view> event,
                      std::string_view line) const override {
    if (looksLikeTraceLine(line)) return true;
    const std::string_view prev = event.back();
    const bool prev_in_trace =
        !prev.empty() && (text::isSpace(prev[0]) || text::startsWith(prev, "Traceback ("));
    if (line.empty()) return event.size() > 1 && prev_in_trace;
    // The exception line that closes a Python traceback, or heads a Java trace line
    // ("java.lang.X: msg" directly after "Caused by"/frames).
    return prev_in_trace && isExceptionLine(line);
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    std::string_view header = ev.lines[0];
    std::string_view body = header;
    if (!body.empty() && body[0] == '[') body.remove_prefix(1);
    size_t used = 0;
    if (auto t = parseTimestampPrefix(body, &used)) {
      out.time = toUnixNanos(*t);
      body.remove_prefix(used);
      if (!body.empty() && body[0] == ']') body.remove_prefix(1);
      body = text::trimLeft(body);
    } else {
      body = header;
    }
    size_t level_end = 0;
    std::optional<Level> level = findLevelToken(body, 96, &level_end);
    const bool multi = ev.lines.size() > 1;
    const bool trace_head = text::startsWith(header, "Traceback (");
    if (!level && !multi && !trace_head) {
      if (Level::kInfo < min_level) return ParseStatus::kBelowLevel;
    }
    if (level && *level < min_level && !multi) return ParseStatus::kBelowLevel;
    const bool traced = analyzeTrace(ev.lines, out, trace_head);
    if (!level) level = traced ? Level::kError : Level::kInfo;
    if (*level < min_level) return ParseStatus::kBelowLevel;
    out.level = *level;
    if (!trace_head) {
      std::string_view msg = body;
      if (level_end > 0 && level_end <= body.size()) {
        msg = body.substr(level_end);
        while (!msg.empty() && (msg[0] == ']' || msg[0] == '>' || msg[0] == ':' || msg[0] == ' ' ||
                                msg[0] == '-')) {
          msg.remove_prefix(1);
        }
      }
      if (out.exception_type.empty() || out.message.empty()) out.message.assign(text::trim(msg));
    }
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeTextParser() { return std::make_unique<TextParser>(); }

}  // namespace homeo
