#include "parsers/bracket/bracket_parser.h"

#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

struct BracketHeader {
  Level level;
  std::string_view time;
  std::string_view module;
  std::string_view message;
};

bool parseHeader(std::string_view line, BracketHeader& h, bool need_rest) {
  if (line.size() < 8 || line[0] != '[') return false;
  const size_t close = line.find(']', 1);
  if (close == std::string_view::npos || close > 12) return false;
  const auto level = parseLevel(line.substr(1, close - 1));
  if (!level) return false;
  h.level = *level;
  if (close + 1 >= line.size() || line[close + 1] != '[') return false;
  const size_t close2 = line.find(']', close + 2);
  if (close2 == std::string_view::npos) return false;
  h.time = line.substr(close + 2, close2 - close - 2);
  if (!need_rest) return true;
  std::string_view rest = text::trimLeft(line.substr(close2 + 1));
  const size_t dash = rest.find(" - ");
  if (dash != std::string_view::npos && rest.substr(0, dash).find(' ') == std::string_view::npos) {
    h.module = rest.substr(0, dash);
    h.message = rest.substr(dash + 3);
  } else {
    h.module = {};
    h.message = rest;
  }
  return true;
}

class BracketParser final : public Parser {
 public:
  std::string_view name() const override { return "bracket"; }

  int probe(std::string_view line) const override {
    BracketHeader h;
    if (!parseHeader(line, h, false)) return 0;
    return parseTimestampPrefix(h.time).has_value() ? 98 : 60;
  }

  bool startsEvent(std::string_view line) const override {
    BracketHeader h;
    return parseHeader(line, h, false);
  }

  EventStart scanStart(std::string_view line) const override {
    BracketHeader h;
    EventStart start;
    start.starts = parseHeader(line, h, false);
    if (start.starts) start.level = h.level;
    return start;
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    BracketHeader h;
    if (!parseHeader(ev.lines[0], h, true)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    out.level = h.level;
    if (auto t = parseTimestampPrefix(h.time)) out.time = toUnixNanos(*t);
    out.module.assign(h.module);
    std::string_view msg = text::trimRight(h.message);
    // "KeyError: 'user_id'": the guide writes the exception type first.
    const size_t colon = msg.find(": ");
    if (colon != std::string_view::npos && text::looksLikeExceptionType(msg.substr(0, colon))) {
      out.exception_type.assign(msg.substr(0, colon));
      out.message.assign(msg.substr(colon + 2));
    } else {
      out.message.assign(msg);
    }
    if (ev.lines.size() > 1) analyzeTrace(ev.lines.subspan(1), out, true);
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makeBracketParser() { return std::make_unique<BracketParser>(); }

}  // namespace homeo
