#include "parsers/crash.h"

#include "parsers/text_util.h"
#include "parsers/trace/trace_internal.h"

namespace homeo {

using text::startsWith;

namespace {

constexpr std::string_view kJavaThread = "Exception in thread \"";

// Python's threading module: "Exception in thread Thread-1 (worker):" above the traceback.
bool isPythonThreadBanner(std::string_view line) {
  line = text::trimRight(line);
  return startsWith(line, "Exception in thread ") && !startsWith(line, kJavaThread) &&
         line.back() == ':';
}

// '  File "/app/x.py", line 3' with nothing after the number: where a SyntaxError was found
// (a traceback's frames name their function).
bool isSyntaxErrorLocation(std::string_view line) {
  const std::string_view t = text::trimLeft(line);
  if (t.size() == line.size() || !startsWith(t, "File \"")) return false;
  const size_t q = t.find('"', 6);
  if (q == std::string_view::npos || !startsWith(t.substr(q + 1), ", line ")) return false;
  return text::parseUint(text::trimRight(t.substr(q + 8))).has_value();
}

// "app.rb:3:in 'foo': msg (RuntimeError)" (Ruby 3.4 quotes with ', older Rubies with `): the
// first line Ruby prints for an exception nothing rescued. `first_space` is where the first
// token ends.
bool isRubyUncaught(std::string_view line, size_t first_space) {
  if (first_space == std::string_view::npos || first_space + 1 >= line.size()) return false;
  const std::string_view token = line.substr(0, first_space);
  if (!token.ends_with(":in")) return false;
  const size_t rb = token.find(".rb:");
  if (rb == std::string_view::npos || rb == 0) return false;
  const size_t digits = rb + 4;  // ".rb:" is inside the token, before its ":in"
  if (digits + 3 > token.size() ||
      !text::parseUint(token.substr(digits, token.size() - 3 - digits)).has_value())
    return false;
  const char quote = line[first_space + 1];
  return (quote == '\'' || quote == '`') &&
         line.find("': ", first_space + 2) != std::string_view::npos;
}

bool isNodeSourceLocationToken(std::string_view line) {
  const size_t colon = line.rfind(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !text::parseUint(line.substr(colon + 1)).has_value())
    return false;
  const std::string_view file = line.substr(0, colon);
  if (startsWith(file, "node:")) return file.size() > 5;
  return file.ends_with(".js") || file.ends_with(".mjs") || file.ends_with(".cjs") ||
         file.ends_with(".ts") || file.ends_with(".jsx") || file.ends_with(".tsx");
}

bool containsNodeTrailer(std::span<const std::string_view> lines) {
  for (size_t i = lines.size(); i-- > 1;) {
    if (startsWith(lines[i], "Node.js v")) return true;
  }
  return false;
}

}  // namespace

bool isNodeSourceLocation(std::string_view line) {
  line = text::trimRight(line);
  return !line.empty() && line.find(' ') == std::string_view::npos &&
         isNodeSourceLocationToken(line);
}

CrashStart crashStart(std::string_view line) {
  if (line.size() < 4) return CrashStart::kNone;
  switch (line[0]) {
    case ' ':
    case '\t':
      return isSyntaxErrorLocation(line) ? CrashStart::kTrace : CrashStart::kNone;
    case 'T':
      if (startsWith(line, "Traceback (most recent call last):")) return CrashStart::kTrace;
      break;
    case '*':
      if (startsWith(line, "** (")) return CrashStart::kTrace;
      break;
    case 'p':
      if (startsWith(line, "panic: ")) return CrashStart::kRuntime;
      break;
    case 'f':
      if (startsWith(line, "fatal error: ")) return CrashStart::kRuntime;
      break;
    case 'E':
      if (startsWith(line, kJavaThread) || isPythonThreadBanner(line)) return CrashStart::kRuntime;
      break;
    case 'U':
      if (startsWith(line, "Unhandled exception. ") || startsWith(line, "Unhandled Exception: "))
        return CrashStart::kRuntime;
      break;
    case 'P':
      if (startsWith(line, "PHP Fatal error: ") || startsWith(line, "PHP Parse error: "))
        return CrashStart::kRuntime;
      break;
    case 'F':
      if (startsWith(line, "Fatal error: Uncaught ")) return CrashStart::kRuntime;
      break;
    case 't':
      if (startsWith(line, "thread '") && line.find("' panicked at ", 8) != std::string_view::npos)
        return CrashStart::kRuntime;
      break;
    default:
      break;
  }
  // A file location first: Node.js' source line of an uncaught error ("/app/x.js:10", ends
  // with the line number), Ruby's uncaught exception (ends with "(Type)", or says "unhandled
  // exception" when it had no message). The last byte rules out nearly every other line.
  const std::string_view t = text::trimRight(line);
  if (t.empty()) return CrashStart::kNone;
  if (text::isDigit(t.back())) {
    return isNodeSourceLocation(t) ? CrashStart::kRuntime : CrashStart::kNone;
  }
  if (t.back() != ')' && !t.ends_with("unhandled exception")) return CrashStart::kNone;
  return isRubyUncaught(t, t.find(' ')) ? CrashStart::kRuntime : CrashStart::kNone;
}

bool startsAtTrace(std::string_view exception, std::string_view frame) {
  if (exception.empty() || text::isSpace(exception[0])) return false;
  if (!trace::isAtLine(text::trimLeft(frame))) return false;
  std::string_view type, msg;
  return trace::splitExceptionLine(exception, type, msg);
}

bool isCrash(std::span<const std::string_view> lines) {
  if (lines.empty()) return false;
  if (crashStart(lines[0]) != CrashStart::kNone) return true;
  return lines.size() > 1 && startsAtTrace(lines[0], lines[1]);
}

Level crashLevel(std::span<const std::string_view> lines) {
  if (lines.empty()) return Level::kError;
  const std::string_view first = lines[0];
  switch (crashStart(first)) {
    case CrashStart::kRuntime:
      if (startsWith(first, "Exception in thread ")) {
        return startsWith(first, "Exception in thread \"main\" ") ? Level::kCritical
                                                                  : Level::kError;
      }
      if (startsWith(first, "thread '")) {
        return startsWith(first, "thread 'main' ") ? Level::kCritical : Level::kError;
      }
      return Level::kCritical;
    case CrashStart::kTrace:
      // A Python traceback is also what traceback.print_exc() writes; a script that does not
      // compile and an Elixir script's uncaught exception end the process.
      return startsWith(first, "Traceback ") ? Level::kError : Level::kCritical;
    case CrashStart::kNone:
      break;
  }
  // "TypeError: x" + "at" frames: printed and lived on, unless Node.js closes the report of
  // an uncaught error with its version.
  return containsNodeTrailer(lines) ? Level::kCritical : Level::kError;
}

}  // namespace homeo
