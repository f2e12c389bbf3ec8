// A Python script that does not compile: the interpreter reports the SyntaxError (or
// IndentationError, TabError) without a "Traceback" line, as the location, the source line,
// a caret and the exception:
//
//   File "/app/worker.py", line 3
//     def main(
//             ^
// SyntaxError: '(' was never closed

#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

bool analyzePythonSyntaxError(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  const std::string_view t = trimLeft(lines[i]);
  if (t.size() == lines[i].size() || !startsWith(t, "File \"")) return false;
  const size_t q = t.find('"', 6);
  if (q == std::string_view::npos || !startsWith(t.substr(q + 1), ", line ")) return false;
  const int64_t line = lineNumber(trimRight(t.substr(q + 8)));
  if (line == 0) return false;
  size_t k = i + 1;
  while (k < lines.size() && !lines[k].empty() && text::isSpace(lines[k][0])) ++k;
  std::string_view type, message;
  if (k == lines.size() || !splitExceptionLine(lines[k], type, message)) return false;
  out.frames.clear();
  out.frames.emplace_back(std::string(t.substr(6, q - 6)), line, std::string());
  setTraceback(lines, i, k + 1, out);
  out.language = "python";
  setException(out, type, message, prefer);
  return true;
}

}  // namespace homeo::trace
