#include "parsers/trace.h"

#include <algorithm>
#include <string>

#include "parsers/crash.h"
#include "parsers/text_util.h"
#include "parsers/trace/trace_internal.h"

namespace homeo {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace text {

bool looksLikeExceptionType(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  size_t last_segment = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' || c == '$' || c == ':') {
      // Ruby-style Foo::Bar and Java inner classes Foo$Bar are fine; empty segments are not.
      if (i == 0 || i + 1 == s.size()) return false;
      last_segment = i + 1;
      continue;
    }
    if (!isIdentChar(c)) return false;
  }
  const std::string_view name = s.substr(last_segment);
  if (name.empty() || !(name[0] >= 'A' && name[0] <= 'Z')) return false;
  return true;
}

}  // namespace text

namespace trace {

bool splitExceptionLine(std::string_view line, std::string_view& type, std::string_view& msg) {
  line = trimRight(line);
  const size_t colon = line.find(": ");
  std::string_view t = colon == std::string_view::npos ? line : line.substr(0, colon);
  if (colon == std::string_view::npos && !line.empty() && line.back() == ':') {
    t = line.substr(0, line.size() - 1);
  }
  if (!text::looksLikeExceptionType(t)) return false;
  type = t;
  msg = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 2);
  return true;
}

void setTraceback(Lines lines, size_t begin, size_t end, ErrorRecord& out) {
  while (end > begin && trimLeft(lines[end - 1]).empty()) --end;
  out.traceback.clear();
  out.traceback.reserve(end - begin);
  for (size_t k = begin; k < end; ++k) out.traceback.emplace_back(trimRight(lines[k]));
}

void setException(ErrorRecord& out, std::string_view type, std::string_view message, bool prefer) {
  out.exception_type.assign(type);
  if (prefer || out.message.empty()) out.message.assign(message);
}

void setRootCause(ErrorRecord& out, std::string_view type, std::string_view message) {
  JsonObject cause;
  cause.emplace_back("type", JsonValue(type));
  cause.emplace_back("message", JsonValue(message));
  setField(out.context, "root_cause", JsonValue(std::move(cause)));
}

int64_t lineNumber(std::string_view s) {
  auto n = text::parseUint(s);
  return n ? *n : 0;
}

void splitLocation(std::string_view loc, std::string_view& file, int64_t& line, int64_t* column) {
  file = loc;
  line = 0;
  if (column) *column = 0;
  size_t colon = loc.rfind(':');
  if (colon == std::string_view::npos) return;
  int64_t n = lineNumber(loc.substr(colon + 1));
  if (n == 0) return;
  // file:line:col
  const size_t colon2 = colon > 0 ? loc.rfind(':', colon - 1) : std::string_view::npos;
  if (colon2 != std::string_view::npos) {
    const int64_t l = lineNumber(loc.substr(colon2 + 1, colon - colon2 - 1));
    if (l > 0) {
      file = loc.substr(0, colon2);
      line = l;
      if (column) *column = n;
      return;
    }
  }
  file = loc.substr(0, colon);
  line = n;
}

bool isGoFunctionLine(std::string_view line) {
  if (line.empty() || text::isSpace(line[0]) || line.back() != ')') return false;
  const size_t open = line.find('(');
  if (open == 0 || open == std::string_view::npos) return false;
  // "main.(*T).m(...)": the receiver's parentheses are part of the name.
  size_t name_end = open;
  if (open > 0 && line[open - 1] == '.') name_end = line.find('(', line.find(')', open));
  if (name_end == std::string_view::npos) return false;
  for (size_t k = 0; k < name_end; ++k) {
    if (line[k] == ' ' || line[k] == '\t') return false;
  }
  return true;
}

bool isAtLine(std::string_view trimmed) { return trimmed.size() > 3 && startsWith(trimmed, "at "); }

namespace {

bool isRustPanicLine(std::string_view line) {
  trace::RustPanicHead head;
  return line.find("panicked at ") != std::string_view::npos &&
         trace::splitRustPanicHead(line, head);
}

}  // namespace

bool isTraceStart(std::string_view line, std::string_view* language) {
  const std::string_view t = trimLeft(line);
  std::string_view lang;
  if (startsWith(t, "Traceback (most recent call last):") ||
      startsWith(t, "+ Exception Group Traceback (most recent call last):")) {
    lang = "python";
  } else if (startsWith(t, "panic: ") || startsWith(t, "fatal error: ")) {
    lang = "go";
  } else if (isRustPanicLine(t)) {
    lang = "rust";
  } else if (t.find("Fatal error: ") != std::string_view::npos &&
             (startsWith(t, "PHP ") || t.find(" PHP ") != std::string_view::npos ||
              t.find("Fatal error: Uncaught ") != std::string_view::npos)) {
    lang = "php";
  } else if (startsWith(t, "** (")) {
    lang = "elixir";
  } else if (const size_t eit = t.find("Exception in thread "); eit != std::string_view::npos) {
    // Java quotes the thread's name; Python's threading module ends the line with a colon.
    const std::string_view rest = t.substr(eit + 20);
    if (startsWith(rest, "\"")) {
      lang = "java";
    } else if (eit == 0 && trimRight(rest).ends_with(':')) {
      lang = "python";
    } else {
      return false;
    }
  } else if (startsWith(t, "Unhandled exception. ") || startsWith(t, "Unhandled Exception: ")) {
    lang = "csharp";
  } else if (isGinRecoveryHeader(t)) {
    lang = "go";
  } else {
    return false;
  }
  if (language) *language = lang;
  return true;
}

}  // namespace trace

void splitLines(std::string_view text, std::vector<std::string_view>& out) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (nl == text.size()) {
      if (!line.empty()) out.push_back(line);
      break;
    }
    out.push_back(line);
    start = nl + 1;
  }
}

namespace {

constexpr std::string_view kPyTraceback = "Traceback (most recent call last):";
constexpr std::string_view kPyDuring = "During handling of the above exception";
constexpr std::string_view kPyCause = "The above exception was the direct cause";

bool isExceptionLine(std::string_view line) {
  std::string_view type, msg;
  return trace::splitExceptionLine(line, type, msg);
}

// The language of the trace an event holds, judged on its first lines (the trace's first
// line is an event's first line, or follows a log header).
std::string_view eventLanguage(std::span<const std::string_view> event) {
  std::string_view lang;
  const size_t n = std::min<size_t>(event.size(), 3);
  for (size_t i = 0; i < n; ++i) {
    if (trace::isTraceStart(event[i], &lang)) return lang;
  }
  // "TypeError: x" followed by `at` lines (Node.js, Java, .NET), maybe after a further line or
  // two of its message ("  Detail: ...").
  if (event.size() >= 2 && isExceptionLine(event[0])) {
    for (size_t k = 1; k < std::min<size_t>(event.size(), 4) && !event[k].empty(); ++k) {
      if (trace::isAtLine(trimLeft(event[k]))) return "at";
    }
  }
  // Node.js prints the throwing source line first: "/app/x.js:10", the code, a caret.
  if (isNodeSourceLocation(event[0])) return "node-source";
  return {};
}

bool isDigitAt(std::string_view s, size_t i) { return i < s.size() && text::isDigit(s[i]); }

// gin's recovery output: every line up to its stack (the request in debug mode, the panic
// value), the stack's unindented location lines, and the colour reset that closes it.
bool continuesGinRecovery(std::span<const std::string_view> event, std::string_view line) {
  if (trace::isGinLocationLine(line) || trimRight(line) == "\x1b[0m") return true;
  const std::string_view prev = event.back();
  if (trace::isGinLocationLine(prev) || (!prev.empty() && prev[0] == '\t')) return false;
  for (size_t k = 1; k < event.size(); ++k) {
    if (trace::isGinLocationLine(event[k])) return false;
  }
  return event.size() < 64;
}

}  // namespace

bool startsTrace(std::string_view line) { return trace::isTraceStart(line); }

bool looksLikeTraceLine(std::string_view line) {
  if (line.empty()) return false;
  if (text::isSpace(line[0])) return !trimLeft(line).empty();
  return startsWith(line, kPyTraceback) || startsWith(line, kPyDuring) ||
         startsWith(line, kPyCause) || startsWith(line, "Caused by:") ||
         startsWith(line, "Suppressed:");
}

bool continuesTrace(std::span<const std::string_view> event, std::string_view line) {
  if (event.empty()) return false;
  const std::string_view prev = event.back();
  if (trace::isTraceStart(line)) {
    // A line that starts a trace starts a new event, unless it is the next traceback of a
    // chained Python exception, or a Go panic raised while panicking (printed indented).
    if (text::isSpace(line[0]) && startsWith(trimLeft(line), "panic: ") &&
        eventLanguage(event) == "go") {
      return true;
    }
    const std::string_view p = trimLeft(prev);
    const std::string_view lang = eventLanguage(event);
    // Go: "panic: x [recovered]" is followed by the panic it led to, indented.
    if (lang == "go") return !line.empty() && text::isSpace(line[0]);
    return (p.empty() || startsWith(p, kPyDuring) || startsWith(p, kPyCause) ||
            (event.size() == 1 && startsWith(p, "Exception in thread "))) &&
           lang == "python";
  }
  if (looksLikeTraceLine(line)) return true;
  // A C-style continuation: the previous line ends with a backslash.
  if (!prev.empty() && prev.back() == '\\') return true;
  const std::string_view lang = eventLanguage(event);
  const bool prev_indented = !prev.empty() && text::isSpace(prev[0]);
  if (lang == "go") {
    if (trace::isGinRecoveryHeader(event.front())) return continuesGinRecovery(event, line);
    // Goroutine dumps: unindented function lines, their indented locations, blank lines
    // between goroutines.
    return line.empty() || startsWith(line, "goroutine ") || startsWith(line, "created by ") ||
           startsWith(line, "[signal ") || trace::isGoFunctionLine(line);
  }
  if (lang == "rust") {
    // The message follows "panicked at file:line:col:" on its own line(s).
    if (event.size() == 1 && trimRight(prev).ends_with(':')) return true;
    return startsWith(line, "note: ") || startsWith(line, "stack backtrace:");
  }
  if (lang == "php") {
    return startsWith(line, "Stack trace:") || (line[0] == '#' && isDigitAt(line, 1)) ||
           startsWith(line, "PHP Stack trace:") ||
           (startsWith(line, "PHP ") && isDigitAt(trimLeft(line.substr(4)), 0));
  }
  if (lang == "at" || lang == "node-source") {
    // Node.js: error properties close with "}", the runtime names itself at the end, and
    // the source excerpt is followed by a blank line and the error.
    if (line == "}" || startsWith(line, "Node.js v") || startsWith(line, "Emitted 'error' event"))
      return true;
    if (line.empty()) return prev_indented || prev == "}";
    if (lang == "node-source" && prev.empty()) return isExceptionLine(line);
    return false;
  }
  if (lang == "elixir" || lang == "java" || lang == "csharp") return false;
  // Python (and traces of unknown shape): blank lines between chained tracebacks, and the
  // exception line that closes a traceback.
  const bool prev_in_trace = prev_indented || startsWith(prev, "Traceback (");
  if (line.empty()) {
    return event.size() > 1 && (prev_in_trace || startsWith(prev, kPyDuring) ||
                                startsWith(prev, kPyCause) || isExceptionLine(prev));
  }
  if (lang == "python" && trace::continuesExceptionMessage(event, line)) return true;
  return prev_in_trace && isExceptionLine(line);
}

bool analyzeTrace(std::span<const std::string_view> lines, ErrorRecord& out,
                  bool prefer_trace_message) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (trimLeft(lines[i]).empty()) continue;
    if (trace::analyzePython(lines, i, out, prefer_trace_message) ||
        trace::analyzeGo(lines, i, out, prefer_trace_message) ||
        trace::analyzeRust(lines, i, out, prefer_trace_message) ||
        trace::analyzePhp(lines, i, out, prefer_trace_message) ||
        trace::analyzeElixir(lines, i, out, prefer_trace_message) ||
        trace::analyzeRuby(lines, i, out, prefer_trace_message) ||
        trace::analyzeAtTrace(lines, i, out, prefer_trace_message)) {
      return true;
    }
  }
  return false;
}

}  // namespace homeo
