// .NET: "System.InvalidOperationException: msg", inner exceptions as " ---> System.X: inner"
// (on their own lines, or inline in older runtimes), frames "   at Ns.Cls.M(args) in
// C:\src\x.cs:line 42", innermost first. The innermost exception's frames come first, each
// "--- End of inner exception stack trace ---" passing to the next outer one. A frame's class
// is the type ("Shop.Cart"), its function the method (".ctor", "<Run>d__4.MoveNext").

#include <algorithm>
#include <vector>

#include "parsers/trace/frame_names.h"
#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

bool parseDotnetFrame(std::string_view t, Frame& f) {
  if (!isAtLine(t)) return false;
  std::string_view s = trimRight(t.substr(3));
  f.file.clear();
  f.line = 0;
  const size_t in = s.rfind(" in ");
  if (in != std::string_view::npos) {
    std::string_view loc = s.substr(in + 4);
    const size_t ln = loc.rfind(":line ");
    if (ln != std::string_view::npos) {
      f.line = lineNumber(loc.substr(ln + 6));
      f.file.assign(loc.substr(0, ln));
      s = s.substr(0, in);
    }
  }
  const size_t open = s.find('(');
  frames::setDotnetName(open == std::string_view::npos ? s : s.substr(0, open), f);
  return true;
}

}  // namespace

bool analyzeDotnet(Lines lines, size_t i, const AtHead& head, ErrorRecord& out, bool prefer) {
  std::string_view message = head.message;
  std::string_view inner_type, inner_msg;
  size_t inner_count = 0;
  // Older runtimes: "System.A: outer ---> System.B: inner ---> ..." on one line.
  size_t arrow = message.find(" ---> ");
  if (arrow != std::string_view::npos) {
    std::string_view chain = message.substr(arrow + 6);
    message = message.substr(0, arrow);
    while (!chain.empty()) {
      const size_t next = chain.find(" ---> ");
      const std::string_view one = next == std::string_view::npos ? chain : chain.substr(0, next);
      if (splitExceptionLine(one, inner_type, inner_msg)) ++inner_count;
      chain = next == std::string_view::npos ? std::string_view() : chain.substr(next + 6);
    }
  }
  std::vector<Frame> frames;  // frames of the exception whose segment is being read
  Frame f;
  size_t end = head.body;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    const std::string_view t = trimLeft(l);
    if (parseDotnetFrame(t, f)) {
      frames.push_back(f);
      continue;
    }
    if (startsWith(t, "---> ")) {
      std::string_view type, msg;
      if (splitExceptionLine(t.substr(5), type, msg)) {
        inner_type = type;
        inner_msg = msg;
        ++inner_count;
      }
      continue;
    }
    if (startsWith(t, "--- End of inner exception stack trace ---")) {
      frames.clear();  // the frames so far belong to an inner exception
      continue;
    }
    if (startsWith(t, "--- ")) continue;  // "--- End of stack trace from previous location ---"
    if (!l.empty() && text::isSpace(l[0])) continue;
    break;
  }
  std::reverse(frames.begin(), frames.end());
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "csharp";
  setHeadException(lines, i, head, message, out, prefer);
  if (inner_count > 0) setRootCause(out, inner_type, inner_msg);
  return true;
}

}  // namespace homeo::trace
