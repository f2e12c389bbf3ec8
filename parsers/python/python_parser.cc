#include "parsers/python/python_parser.h"
#include "parsers/header_format.h"

#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

struct PyHeader {
  std::optional<CivilTime> time;
  Level level = Level::kInfo;
  std::string_view module;
  std::string_view message;
  int confidence = 0;
};

// "LEVEL:name:message" as written by logging.basicConfig().
// Python writes level names in capitals (INFO, ERROR, WARNING, DEBUG, CRITICAL).
std::optional<Level> upperLevel(std::string_view word) {
  if (word.size() < 4 || word.size() > 8) return std::nullopt;
  for (char c : word) {
    if (!(c >= 'A' && c <= 'Z')) return std::nullopt;
  }
  return parseLevel(word);
}

bool parseBasicConfig(std::string_view line, PyHeader& h) {
  const size_t c1 = line.find(':');
  if (c1 == std::string_view::npos || c1 < 4 || c1 > 8) return false;
  const std::string_view word = line.substr(0, c1);
  for (char c : word) {
    if (!(c >= 'A' && c <= 'Z')) return false;
  }
  const auto level = parseLevel(word);
  if (!level) return false;
  const size_t c2 = line.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  const std::string_view name = line.substr(c1 + 1, c2 - c1 - 1);
  if (name.empty() || name.find(' ') != std::string_view::npos) return false;
  h.level = *level;
  h.module = name;
  h.message = line.substr(c2 + 1);
  h.confidence = 75;
  return true;
}

bool parseHeader(std::string_view line, PyHeader& h) {
  std::string_view s = line;
  const bool bracketed = !s.empty() && s[0] == '[';
  if (bracketed) s.remove_prefix(1);
  size_t used = 0;
  auto t = parseTimestampPrefix(s, &used);
  if (!t || used < 19) return parseBasicConfig(line, h);
  h.time = t;
  s.remove_prefix(used);
  if (bracketed) {
    if (s.empty() || s[0] != ']') return false;
    s.remove_prefix(1);
  }
  // "- name - LEVEL - msg" | "- LEVEL - msg" | " LEVEL name: msg" | " LEVEL in name: msg"
  if (text::startsWith(s, " - ")) {
    s.remove_prefix(3);
    size_t dash = s.find(" - ");
    if (dash == std::string_view::npos) return false;
    std::string_view first = s.substr(0, dash);
    if (auto level = upperLevel(first)) {
      h.level = *level;
      h.message = s.substr(dash + 3);
      h.confidence = 90;
      return true;
    }
    h.module = first;
    s.remove_prefix(dash + 3);
    dash = s.find(" - ");
    if (dash == std::string_view::npos) return false;
    const auto level = upperLevel(s.substr(0, dash));
    if (!level) return false;
    h.level = *level;
    h.message = s.substr(dash + 3);
    h.confidence = 95;
    return true;
  }
  if (s.empty() || s[0] != ' ') return false;
  std::string_view rest = s;
  const std::string_view word = text::nextToken(rest);
  const auto level = upperLevel(word);
  if (!level) return false;
  h.level = *level;
  rest = text::trimLeft(rest);
  if (text::startsWith(rest, "in ")) rest.remove_prefix(3);
  const size_t colon = rest.find(": ");
  const size_t space = rest.find(' ');
  if (colon != std::string_view::npos && colon <= space) {
    h.module = rest.substr(0, colon);
    h.message = rest.substr(colon + 2);
    h.confidence = 85;
  } else {
    h.message = rest;
    h.confidence = 60;
  }
  return true;
}

// What Django's and Flask's default error lines say about the request:
//   Internal Server Error: /orders/7      (django.request; "Not Found: /x" is 404...)
//   Exception on /orders/7 [POST]          (Flask's app.logger on an unhandled exception)
void readFrameworkRequest(std::string_view msg, ErrorRecord& out) {
  struct Phrase {
    std::string_view text;
    int status;
  };
  static constexpr Phrase kDjango[] = {{"Internal Server Error: ", 500},
                                       {"Service Unavailable: ", 503},
                                       {"Bad Request: ", 400},
                                       {"Not Found: ", 404}};
  for (const auto& p : kDjango) {
    if (text::startsWith(msg, p.text)) {
      const std::string_view path = text::trim(msg.substr(p.text.size()));
      if (path.empty() || path[0] != '/' || path.find(' ') != std::string_view::npos) return;
      setField(out.request_info, "path", JsonValue(path));
      setField(out.response_info, "status_code", JsonValue(int64_t{p.status}));
      return;
    }
  }
  if (text::startsWith(msg, "Exception on /")) {
    std::string_view s = text::trimRight(msg.substr(13));
    const size_t open = s.rfind(" [");
    if (open == std::string_view::npos || s.back() != ']') return;
    setField(out.request_info, "path", JsonValue(s.substr(0, open)));
    setField(out.request_info, "method", JsonValue(s.substr(open + 2, s.size() - open - 3)));
    setField(out.response_info, "status_code", JsonValue(int64_t{500}));
  }
}

class PythonParser final : public HeaderFormat<PyHeader, parseHeader> {
 public:
  std::string_view name() const override { return "python"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    PyHeader h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    out.level = h.level;
    if (h.time) out.time = toUnixNanos(*h.time);
    out.module.assign(h.module);
    out.message.assign(text::trimRight(h.message));
    readFrameworkRequest(out.message, out);
    if (ev.lines.size() > 1) {
      // logger.exception("Failed to load user") + traceback: the record is about the
      // exception; the logged sentence stays in context.
      std::string logged = out.message;
      if (analyzeTrace(ev.lines.subspan(1), out, true) && !out.exception_type.empty() &&
          !logged.empty()) {
        setField(out.context, "log_message", JsonValue(std::move(logged)));
      }
    }
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makePythonParser() { return std::make_unique<PythonParser>(); }

}  // namespace homeo
