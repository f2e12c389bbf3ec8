#include "parsers/homeostasis/homeostasis_parser.h"

#include <optional>
#include <string>

#include "common/timeutil.h"
#include "parsers/json/json_parser.h"
#include "parsers/python/python_parser.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

// `asctime - name - LEVEL - message`, as logging.Formatter writes Homeostasis' layout.
struct Header {
  CivilTime time;
  std::string_view name;
  Level level = Level::kInfo;
  std::string_view message;
};

bool scanHeader(std::string_view line, Header& h) {
  size_t used = 0;
  const auto t = parseTimestampPrefix(line, &used);
  if (!t || used < 19) return false;
  std::string_view rest = line.substr(used);
  if (!text::startsWith(rest, " - ")) return false;
  rest.remove_prefix(3);
  const size_t name_end = rest.find(" - ");
  if (name_end == std::string_view::npos || name_end == 0) return false;
  h.name = rest.substr(0, name_end);
  rest.remove_prefix(name_end + 3);
  const size_t level_end = rest.find(" - ");
  if (level_end == std::string_view::npos || level_end < 4 || level_end > 8) return false;
  const std::string_view word = rest.substr(0, level_end);
  for (char c : word) {
    if (c < 'A' || c > 'Z') return false;
  }
  const auto level = parseLevel(word);
  if (!level) return false;
  h.time = *t;
  h.level = *level;
  h.message = rest.substr(level_end + 3);
  return true;
}

// The start of a JSON object with members (`{"`) or an empty one: a Python dict's repr in a
// traceback (`{'a': 1}`) is not one.
bool startsObject(std::string_view s) {
  if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.remove_prefix(3);
  s = text::trimLeft(s);
  if (s.empty() || s[0] != '{') return false;
  s = text::trimLeft(s.substr(1));
  return !s.empty() && (s[0] == '"' || s[0] == '}');
}

class HomeostasisParser final : public Parser {
 public:
  HomeostasisParser() : python_(makePythonParser()) {}

  std::string_view name() const override { return "homeostasis"; }

  int probe(std::string_view line) const override {
    if (startsObject(line)) return json_.probe(line);
    Header h;
    if (scanHeader(line, h) && startsObject(h.message) && json_.hasRecordShape(h.message)) {
      return 100;
    }
    return python_->probe(line);
  }

  bool startsEvent(std::string_view line) const override {
    return startsObject(line) || python_->startsEvent(line);
  }

  bool continuesEvent(std::span<const std::string_view> event,
                      std::string_view line) const override {
    if (event.empty() || startsObject(event[0])) return false;  // a JSON line is one event
    return python_->continuesEvent(event, line);
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    if (ev.lines.empty()) return ParseStatus::kNotMatched;
    const std::string_view first = ev.lines[0];
    if (startsObject(first)) return delegated(json_, ev, min_level, out);
    Header h;
    if (scanHeader(first, h)) {
      if (h.level < min_level) return ParseStatus::kBelowLevel;
      if (startsObject(h.message)) {
        JsonParser::ObjectOptions options;
        options.level = h.level;
        options.need_message = true;
        if (json_.parseObject(h.message, min_level, out, options) == ParseStatus::kRecord) {
          completeFromHeader(ev, h, out);
          return ParseStatus::kRecord;
        }
        // Not a record (data logged as text, or JSON cut short): the line as Python's.
        out.clear();
      }
    }
    return delegated(*python_, ev, min_level, out);
  }

 private:
  static ParseStatus delegated(Parser& p, const LogEvent& ev, Level min_level, ErrorRecord& out) {
    const ParseStatus st = p.parse(ev, min_level, out);
    if (st == ParseStatus::kRecord) out.format.assign(p.name());
    return st;
  }

  // The header's time and logger name where the record has none; a traceback that follows
  // the line (logging's exc_info) read as the python format reads one.
  static void completeFromHeader(const LogEvent& ev, const Header& h, ErrorRecord& out) {
    if (out.time == 0) out.time = toUnixNanos(h.time);
    if (out.module.empty()) out.module.assign(h.name);
    if (ev.lines.size() < 2 || !out.traceback.empty()) return;
    std::string logged = out.message;
    if (analyzeTrace(ev.lines.subspan(1), out, true) && !out.exception_type.empty() &&
        !logged.empty() && logged != out.message) {
      setField(out.context, "log_message", JsonValue(std::move(logged)));
    }
  }

  JsonParser json_;
  std::unique_ptr<Parser> python_;
};

}  // namespace

std::unique_ptr<Parser> makeHomeostasisParser() { return std::make_unique<HomeostasisParser>(); }

}  // namespace homeo
