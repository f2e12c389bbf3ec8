// Elixir: "** (RuntimeError) msg" then "    (app 0.1.0) lib/app.ex:12: App.f/1" frames,
// innermost first. A frame's class is the module ("App.Orders", ":gen_server"), its function
// the name with its arity ("place/1").

#include <algorithm>
#include <vector>

#include "parsers/trace/frame_names.h"
#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

// "(app 0.1.0) lib/app.ex:12: App.f/1" or "lib/app.ex:12: App.f/1"
bool parseElixirFrame(std::string_view t, Frame& f) {
  if (startsWith(t, "(")) {
    const size_t close = t.find(") ");
    if (close == std::string_view::npos) return false;
    t = t.substr(close + 2);
  }
  const size_t sep = t.find(": ");
  if (sep == std::string_view::npos) return false;
  std::string_view file;
  int64_t line = 0;
  splitLocation(t.substr(0, sep), file, line);
  if (file.empty() || file.find(' ') != std::string_view::npos) return false;
  f.file.assign(file);
  f.line = line;
  frames::setElixirName(trimRight(t.substr(sep + 2)), f);
  return true;
}

}  // namespace

bool analyzeElixir(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  const std::string_view head = trimRight(trimLeft(lines[i]));
  if (!startsWith(head, "** (")) return false;
  const size_t close = head.find(')', 4);
  if (close == std::string_view::npos) return false;
  std::string_view type = head.substr(4, close - 4);
  // "** (EXIT from #PID<0.94.0>) reason": the kind is the first word.
  const size_t space = type.find(' ');
  if (space != std::string_view::npos) type = type.substr(0, space);
  if (type.empty()) return false;
  const std::string_view message = trimLeft(head.substr(close + 1));
  std::vector<Frame> frames;
  size_t end = i + 1;
  Frame f;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    if (l.empty() || !text::isSpace(l[0])) break;
    if (parseElixirFrame(trimLeft(l), f)) frames.push_back(f);
  }
  std::reverse(frames.begin(), frames.end());
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "elixir";
  setException(out, type, message, prefer);
  return true;
}

}  // namespace homeo::trace
