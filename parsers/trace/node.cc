// Node.js: "TypeError: msg" then "    at fn (/app/x.js:10:5)", "    at /app/x.js:10:5",
// "    at async fn (...)", innermost first; "[cause]: Error: ..." blocks (Error.cause), and
// the error's own properties between " {" and "}". A frame's function is named as V8 writes it
// ("getUser", "Layer.handle [as handle_request]"), without the "async " marker, with no class,
// as Homeostasis' JavaScript adapter keeps it; the column is kept.

#include <algorithm>
#include <vector>

#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

bool parseNodeFrame(std::string_view t, Frame& f) {
  if (!isAtLine(t)) return false;
  std::string_view s = trimRight(t.substr(3));
  if (s.ends_with(" {")) s = trimRight(s.substr(0, s.size() - 2));
  // "at async fn (...)": the marker of an async frame is not part of the name.
  if (startsWith(s, "async ")) s.remove_prefix(6);
  std::string_view loc = s;
  f.function.clear();
  if (s.ends_with(")")) {
    const size_t open = s.rfind(" (");
    if (open != std::string_view::npos) {
      f.function.assign(s.substr(0, open));
      loc = s.substr(open + 2, s.size() - open - 3);
    }
  }
  std::string_view file;
  splitLocation(loc, file, f.line, &f.column);
  // "(<anonymous>)", "(index 0)": no file to name.
  if (f.line == 0) file = {};
  if (startsWith(file, "file://")) file.remove_prefix(7);
  f.file.assign(file);
  return true;
}

}  // namespace

bool analyzeNode(Lines lines, size_t i, const AtHead& head, ErrorRecord& out, bool prefer) {
  std::vector<Frame> frames;
  std::string_view cause_type, cause_msg;
  bool in_cause = false;
  Frame f;
  size_t end = head.body;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    const std::string_view t = trimLeft(l);
    if (parseNodeFrame(t, f)) {
      if (!in_cause) frames.push_back(f);
      continue;
    }
    if (startsWith(t, "[cause]: ")) {
      std::string_view type, msg;
      if (splitExceptionLine(t.substr(9), type, msg)) {
        cause_type = type;
        cause_msg = msg;
      }
      in_cause = true;
      continue;
    }
    if (l.empty() || text::isSpace(l[0]) || t == "}" || startsWith(t, "Node.js v")) continue;
    break;
  }
  std::reverse(frames.begin(), frames.end());
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "javascript";
  setHeadException(lines, i, head, head.message, out, prefer);
  if (!head.code.empty()) setField(out.context, "code", JsonValue(head.code));
  if (!cause_type.empty()) setRootCause(out, cause_type, cause_msg);
  return true;
}

}  // namespace homeo::trace
