#include "parsers/tracing/tracing_parser.h"

#include <string>

#include "parsers/console_line.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  std::string_view spans;
  std::string_view target;
  std::string_view message;
};

std::optional<Level> tracingLevel(std::string_view w) {
  if (w == "INFO") return Level::kInfo;
  if (w == "ERROR") return Level::kError;
  if (w == "WARN") return Level::kWarning;
  if (w == "DEBUG" || w == "TRACE") return Level::kDebug;
  return std::nullopt;
}

// A span with its fields at the start of s, "name{a=1 b=\"x\"}:", or 0.
size_t spanLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && text::isIdentChar(s[i])) ++i;
  if (i == 0 || i >= s.size() || s[i] != '{') return 0;
  int depth = 0;
  bool quoted = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') ++i;
      if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1 < s.size() && s[i + 1] == ':' ? i + 2 : 0;
    }
  }
  return 0;
}

// A module path ("shop::db", "hyper") at the start of s followed by ": " or the end: its
// length, or 0.
size_t pathLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (text::isIdentChar(s[i])) {
      ++i;
    } else if (s[i] == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      i += 2;
    } else {
      break;
    }
  }
  if (i == 0 || i >= s.size() || s[i] != ':' || (i + 1 < s.size() && s[i + 1] != ' ')) return 0;
  return i;
}

// Span names as the compact format writes them before the target, "a:b: ": the length of "a:b",
// or 0.
size_t spanNamesLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (text::isIdentChar(s[i]) || s[i] == ':')) {
    if (s[i] == ':' && i + 1 < s.size() && s[i + 1] == ' ') return i;
    ++i;
  }
  return 0;
}

// `line` without its colours.
bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 30 || !text::isDigit(line[0])) return false;
  size_t used = 0;
  const auto t = parseTimestampPrefix(line, &used);
  if (!t || used < 20 || line[10] != 'T' || !t->utc_offset || used >= line.size() ||
      line[used] != ' ')
    return false;
  std::string_view s = line.substr(used + 1);
  if (!s.empty() && s[0] == ' ') s.remove_prefix(1);  // " INFO", " WARN"
  const size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return false;
  const auto level = tracingLevel(s.substr(0, sp));
  if (!level) return false;
  s.remove_prefix(sp + 1);
  // Spans with their fields (full format), "a{x=1}:b{y=2}: ".
  const char* spans_begin = s.data();
  while (const size_t n = spanLength(s)) {
    s.remove_prefix(n);
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  size_t n = pathLength(s);
  if (n == 0) n = spanNamesLength(s);
  if (n == 0) return false;
  // Compact format: span names, then the target ("shaving_yaks: fmt::yak_shave: msg").
  if (s.substr(0, n).find("::") == std::string_view::npos && n + 2 < s.size()) {
    const std::string_view next = s.substr(n + 2);
    const size_t m = pathLength(next);
    if (m > 0 && next.substr(0, m).find("::") != std::string_view::npos) {
      s.remove_prefix(n + 2);
      n = m;
    }
  }
  if (pathLength(s) != n) return false;
  h.spans =
      text::trimRight(std::string_view(spans_begin, static_cast<size_t>(s.data() - spans_begin)));
  if (!h.spans.empty() && h.spans.back() == ':') h.spans.remove_suffix(1);
  h.time = *t;
  h.level = *level;
  h.target = s.substr(0, n);
  h.message = text::trimLeft(s.substr(std::min(s.size(), n + 1)));
  return true;
}

bool parseRaw(std::string_view line, Header& h, std::string& scratch) {
  return parseHeader(console::stripAnsi(line, scratch), h);
}

std::string& probeScratch() {
  thread_local std::string s;
  return s;
}

class TracingParser final : public Parser {
 public:
  std::string_view name() const override { return "tracing"; }

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
    std::string_view message = console::splitTrailingFields(h.message, &out.context);
    if (message.empty()) message = h.message;
    fillTextRecord(ev, h.level, h.time, h.target, message, out);
    if (!h.spans.empty()) setField(out.context, "spans", JsonValue(h.spans));
    return ParseStatus::kRecord;
  }

 private:
  std::string scratch_;
};

}  // namespace

std::unique_ptr<Parser> makeTracingParser() { return std::make_unique<TracingParser>(); }

}  // namespace homeo
