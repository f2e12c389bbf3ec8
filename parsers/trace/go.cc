// Go: "panic: msg" / "fatal error: msg", then goroutine dumps. Only the first goroutine (the
// one that panicked, marked [running] in a panic) gives frames; Go prints its innermost
// call first, each as a function line and an indented "file:line +0xoff" line.

#include <algorithm>
#include <vector>

#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

// "main.(*Pipeline).flush(0x0?, {0xc000112000, 0x800})" -> "main.(*Pipeline).flush"
std::string_view goFunctionName(std::string_view line) {
  line = trimRight(line);
  if (line.empty() || line.back() != ')') return line;
  int depth = 0;
  for (size_t k = line.size(); k-- > 0;) {
    if (line[k] == ')') ++depth;
    if (line[k] == '(' && --depth == 0) return line.substr(0, k);
  }
  return line;
}

// "\t/app/main.go:32 +0x9a" or "  foo.go:6 +0x39 fp=0x..."
bool parseGoLocation(std::string_view line, Frame& f) {
  if (line.empty() || !text::isSpace(line[0])) return false;
  std::string_view s = trimLeft(line);
  const size_t space = s.find(' ');
  if (space != std::string_view::npos) s = s.substr(0, space);
  std::string_view file;
  int64_t n = 0;
  splitLocation(s, file, n);
  if (n == 0) return false;
  f.file.assign(file);
  f.line = n;
  return true;
}

}  // namespace

bool analyzeGo(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  const std::string_view head = trimLeft(lines[i]);
  std::string_view type;
  std::string_view message;
  if (startsWith(head, "panic: ")) {
    type = "panic";
    message = trimRight(head.substr(7));
  } else if (startsWith(head, "fatal error: ")) {
    type = "fatal error";
    message = trimRight(head.substr(13));
  } else {
    return false;
  }
  std::vector<Frame> frames;
  int goroutines = 0;
  size_t end = i + 1;
  Frame f;
  bool skip_location = false;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    const std::string_view t = trimLeft(l);
    if (t.empty()) continue;
    if (startsWith(l, "goroutine ")) {
      ++goroutines;
      continue;
    }
    if (startsWith(l, "[signal ")) {
      setField(out.context, "signal", JsonValue(trimRight(l.substr(1, l.size() - 2))));
      continue;
    }
    if (startsWith(l, "created by ")) {
      skip_location = true;  // where the goroutine was started, not part of its stack
      continue;
    }
    if (isGoFunctionLine(l)) {
      f.function.assign(goFunctionName(l));
      f.file.clear();
      f.line = 0;
      skip_location = false;
      if (goroutines == 1) frames.push_back(f);
      continue;
    }
    if (text::isSpace(l[0])) {
      // A location line, or a nested "panic: ..." of a re-panic, or exit-code noise.
      if (!skip_location && goroutines == 1 && !frames.empty() && frames.back().file.empty()) {
        parseGoLocation(l, frames.back());
      }
      skip_location = false;
      continue;
    }
    break;
  }
  std::reverse(frames.begin(), frames.end());
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "go";
  setException(out, type, message, prefer);
  return true;
}

}  // namespace homeo::trace
