// Python tracebacks: plain, chained ("During handling of the above exception", "The above
// exception was the direct cause"), exception groups (PEP 654, "  | " prefixed), and the
// SyntaxError Python prints without a traceback. Python names a frame's function alone
// (`in get_user`): frames have no class, and no column (the carets of 3.11+ point into the
// source line as printed, stripped of its indentation).

#include <string>
#include <vector>

#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

constexpr std::string_view kTraceback = "Traceback (most recent call last):";
constexpr std::string_view kGroupTraceback = "+ Exception Group Traceback (most recent call last):";
constexpr std::string_view kDuring = "During handling of the above exception";
constexpr std::string_view kCause = "The above exception was the direct cause";

bool isBlockStart(std::string_view line) {
  const std::string_view t = trimLeft(line);
  return startsWith(t, kTraceback) || startsWith(t, kGroupTraceback);
}

// `  File "/app/api.py", line 42, in get_user`
bool parseFrame(std::string_view line, Frame& f) {
  std::string_view s = trimLeft(line);
  if (!startsWith(s, "File \"")) return false;
  s.remove_prefix(6);
  const size_t q = s.find('"');
  if (q == std::string_view::npos) return false;
  f.file.assign(s.substr(0, q));
  s.remove_prefix(q + 1);
  f.line = 0;
  f.function.clear();
  if (startsWith(s, ", line ")) {
    s.remove_prefix(7);
    size_t i = 0;
    while (i < s.size() && text::isDigit(s[i])) ++i;
    f.line = lineNumber(s.substr(0, i));
    s.remove_prefix(i);
  }
  if (startsWith(s, ", in ")) f.function.assign(trimRight(s.substr(5)));
  return true;
}

struct Block {
  std::vector<Frame> frames;
  std::string_view type;
  std::string message;
  size_t end = 0;  // first line after the block
};

// One traceback block starting at its "Traceback" line: indented frames and source lines,
// then the exception line and any further lines of its message.
void parseBlock(Lines lines, size_t start, Block& b) {
  size_t i = start + 1;
  Frame f;
  while (i < lines.size()) {
    const std::string_view l = lines[i];
    if (l.empty() || !text::isSpace(l[0])) break;
    if (parseFrame(l, f)) b.frames.push_back(f);
    ++i;
  }
  std::string_view msg;
  b.end = i;
  if (i < lines.size() && splitExceptionLine(lines[i], b.type, msg)) {
    b.message.assign(msg);
    b.end = i + 1;
    // A multi-line exception message runs until a blank line or the next section.
    while (b.end < lines.size() && !lines[b.end].empty() && !isBlockStart(lines[b.end]) &&
           !startsWith(lines[b.end], kDuring) && !startsWith(lines[b.end], kCause)) {
      b.message.push_back('\n');
      b.message.append(trimRight(lines[b.end]));
      ++b.end;
    }
  }
}

// An exception group printed at top level: its own traceback is on the lines carrying "|"
// in the column of the opening "+"; the sub-exceptions are nested one level deeper.
void parseGroup(Lines lines, size_t start, Block& b, ErrorRecord& out) {
  const size_t col = lines[start].find('+');
  std::vector<std::string_view> inner;
  inner.push_back(kTraceback);
  JsonArray subs;
  size_t i = start + 1;
  for (; i < lines.size(); ++i) {
    const std::string_view l = lines[i];
    if (l.size() <= col || (l[col] != '|' && l[col] != '+' && l[col] != ' ')) break;
    if (l[col] == '|') {
      inner.push_back(l.size() > col + 2 ? l.substr(col + 2) : std::string_view());
      continue;
    }
    // "    | ValueError: 1": a sub-exception's own exception line.
    const size_t sub = col + 2;
    if (l.size() > sub + 2 && l[sub] == '|' && l[sub + 1] == ' ' && !text::isSpace(l[sub + 2])) {
      std::string_view type, msg;
      if (splitExceptionLine(l.substr(sub + 2), type, msg))
        subs.emplace_back(trimRight(l.substr(sub + 2)));
    }
  }
  parseBlock(inner, 0, b);
  b.end = i;
  if (!subs.empty()) setField(out.context, "sub_exceptions", JsonValue(std::move(subs)));
}

// The exceptions the compiler raises, which Python prints without a traceback when the
// program's own file does not compile.
bool isCompileError(std::string_view type) {
  return type == "SyntaxError" || type == "IndentationError" || type == "TabError";
}

// A SyntaxError printed on its own: `  File "x.py", line 12`, the source line, the caret line,
// `SyntaxError: msg`. Its file and line are its one frame.
bool analyzeSyntaxError(Lines lines, size_t first, ErrorRecord& out, bool prefer) {
  Frame f;
  if (!parseFrame(lines[first], f) || f.line == 0 || !f.function.empty()) return false;
  // The source line and the caret line (either may be missing), then the exception line.
  size_t i = first + 1;
  while (i < lines.size() && i - first <= 3 && !lines[i].empty() && text::isSpace(lines[i][0])) {
    ++i;
  }
  std::string_view type, msg;
  if (i >= lines.size() || !splitExceptionLine(lines[i], type, msg) || !isCompileError(type)) {
    return false;
  }
  setTraceback(lines, first, i + 1, out);
  out.frames.assign(1, std::move(f));
  out.language = "python";
  setException(out, type, msg, prefer);
  return true;
}

// "2 validation errors for User" (pydantic's ValidationError, v1 and v2): how many errors
// its message lists, 0 when it is no such message.
size_t validationErrorCount(std::string_view msg) {
  size_t i = 0;
  size_t n = 0;
  while (i < msg.size() && i < 6 && text::isDigit(msg[i])) n = n * 10 + (msg[i++] - '0');
  if (i == 0) return 0;
  const std::string_view rest = msg.substr(i);
  return startsWith(rest, " validation error for ") || startsWith(rest, " validation errors for ")
             ? n
             : 0;
}

}  // namespace

bool continuesExceptionMessage(Lines event, std::string_view line) {
  if (line.empty() || text::isSpace(line[0])) return false;
  // Back to the exception line, counting the errors' location lines ("name", "items.0.price",
  // "body -> age") met on the way; their explanations are indented.
  size_t locations = 0;
  for (size_t k = event.size(); k-- > 0;) {
    const std::string_view l = event[k];
    if (l.empty() || isBlockStart(l) || locations > 1000) return false;
    if (text::isSpace(l[0])) continue;
    std::string_view type, msg;
    if (splitExceptionLine(l, type, msg)) {
      if (const size_t errors = validationErrorCount(msg)) return locations < errors;
    }
    ++locations;
  }
  return false;
}

bool analyzePython(Lines lines, size_t first, ErrorRecord& out, bool prefer) {
  if (!isBlockStart(lines[first])) {
    return startsWith(trimLeft(lines[first]), "File \"") &&
           analyzeSyntaxError(lines, first, out, prefer);
  }
  // The last block is the exception that was raised last (the one that propagated); earlier
  // blocks are the exceptions it was raised while handling, the first one the root cause.
  size_t last = first;
  for (size_t i = first + 1; i < lines.size(); ++i) {
    if (isBlockStart(lines[i])) last = i;
  }
  Block b;
  if (startsWith(trimLeft(lines[last]), kGroupTraceback)) {
    parseGroup(lines, last, b, out);
  } else {
    parseBlock(lines, last, b);
  }
  if (last != first) {
    Block root;
    if (!startsWith(trimLeft(lines[first]), kGroupTraceback)) {
      parseBlock(lines, first, root);
      if (!root.type.empty()) setRootCause(out, root.type, root.message);
    }
  }
  setTraceback(lines, first, std::max(b.end, last + 1), out);
  out.frames = std::move(b.frames);
  out.language = "python";
  if (!b.type.empty()) setException(out, b.type, b.message, prefer);
  return true;
}

}  // namespace homeo::trace
