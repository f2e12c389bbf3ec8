#include "parsers/text/text_parser.h"

#include "parsers/crash.h"
#include "parsers/line_header.h"
#include "parsers/python/server_messages.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

class TextParser final : public Parser {
 public:
  std::string_view name() const override { return "text"; }

  int probe(std::string_view) const override { return 1; }

  // Never claims a line as a header: a line that no event continues starts a new text
  // event anyway (see EventAssembler).
  bool startsEvent(std::string_view) const override { return false; }

  bool continuesEvent(std::span<const std::string_view> event,
                      std::string_view line) const override {
    if (continuesTrace(event, line)) return true;
    // In free text whose entries begin with a timestamp, a line without one (a bullet point,
    // a wrapped message) belongs to the entry above it.
    // Not after a stack trace, whose end a plain line marks.
    return !line.empty() && startsWithTimestamp(event.front()) && !startsWithTimestamp(line) &&
           !startsTrace(line) && !looksLikeTraceLine(event.back());
  }

  static bool startsWithTimestamp(std::string_view line) {
    if (!line.empty() && line[0] == '[') line.remove_prefix(1);
    return !line.empty() && parseTimestampPrefix(line).has_value();
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    std::string_view header = ev.lines[0];
    // A blank line between entries says nothing.
    if (ev.lines.size() == 1 && text::trim(header).empty()) return ParseStatus::kBelowLevel;
    if (isCrash(ev.lines)) return parseCrash(ev, min_level, out);
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
    // Django's request errors, which its default configuration writes as the message alone
    // ("Internal Server Error: /x"): the status is the level (and the line owns its trace).
    RequestSummary request;
    if (!level && readFrameworkRequest(body, request)) level = levelOfStatus(request.status);
    const bool multi = ev.lines.size() > 1;
    const bool trace_head = startsTrace(header);
    if (!level && !multi && !trace_head) {
      if (Level::kInfo < min_level) return ParseStatus::kBelowLevel;
    }
    if (level && *level < min_level && !multi) return ParseStatus::kBelowLevel;
    out.level = level.value_or(Level::kError);
    const bool traced = analyzeTrace(ev.lines, out, trace_head);  // may raise the level
    if (!level && !traced) out.level = Level::kInfo;
    if (out.level < min_level) return ParseStatus::kBelowLevel;
    fillRequest(request, out);
    if (!trace_head) {
      std::string_view msg = body;
      if (level_end > 0 && level_end <= body.size()) {
        msg = body.substr(level_end);
        while (!msg.empty() && (msg[0] == ']' || msg[0] == '>' || msg[0] == ':' || msg[0] == ' ' ||
                                msg[0] == '-')) {
          msg.remove_prefix(1);
        }
      }
      msg = text::trim(msg);
      const bool header_in_trace =
          !out.traceback.empty() && text::trimRight(header) == out.traceback.front();
      if (traced && !out.exception_type.empty()) {
        // A sentence logged before a bare trace ("request failed" + traceback): the record
        // is about the exception; the sentence stays in context.
        if (!header_in_trace && !msg.empty()) {
          setField(out.context, "log_message", JsonValue(msg));
        }
      } else if (out.message.empty()) {
        out.message.assign(msg);
      }
    }
    return ParseStatus::kRecord;
  }

 private:
  // What a runtime wrote of an uncaught error: its level is the crash's (crashLevel), whatever
  // words its message holds.
  static ParseStatus parseCrash(const LogEvent& ev, Level min_level, ErrorRecord& out) {
    const Level level = crashLevel(ev.lines);
    if (level < min_level) return ParseStatus::kBelowLevel;
    out.level = level;
    analyzeTrace(ev.lines, out, true);
    if (out.message.empty()) out.message.assign(text::trim(ev.lines[0]));
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeTextParser() { return std::make_unique<TextParser>(); }

}  // namespace homeo
