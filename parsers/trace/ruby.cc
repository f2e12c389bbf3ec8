// Ruby: "app.rb:12:in 'method': msg (RuntimeError)" (backquote-quote before Ruby 3.4), then
// "\tfrom app.rb:3:in '<main>'" lines; innermost first. Ruby 3.4 names the method's class or
// module ("Cart#total"), which becomes the frame's class.

#include <algorithm>
#include <string>
#include <vector>

#include "parsers/trace/frame_names.h"
#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

// "app.rb:12:in 'method'" at the start of `s`; sets the frame and the rest after the quote.
bool parseRubyLocation(std::string_view s, Frame& f, std::string_view& rest) {
  size_t in = s.find(":in ");
  if (in == std::string_view::npos || in + 5 >= s.size()) return false;
  const char open = s[in + 4];
  if (open != '`' && open != '\'') return false;
  const size_t close = s.find('\'', in + 5);
  if (close == std::string_view::npos) return false;
  std::string_view file;
  int64_t line = 0;
  splitLocation(s.substr(0, in), file, line);
  if (line == 0 || file.empty() || file.find(' ') != std::string_view::npos) return false;
  f.file.assign(file);
  f.line = line;
  frames::setRubyName(s.substr(in + 5, close - in - 5), f);
  rest = s.substr(close + 1);
  return true;
}

}  // namespace

bool analyzeRuby(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  const std::string_view head = trimRight(lines[i]);
  if (head.empty() || text::isSpace(head[0])) return false;
  Frame top;
  std::string_view rest;
  if (!parseRubyLocation(head, top, rest) || !startsWith(rest, ": ")) return false;
  rest.remove_prefix(2);
  // "msg (RuntimeError)"; a message of several lines carries the type after its first line.
  std::string_view type, message = rest;
  if (rest.ends_with(")")) {
    const size_t open = rest.rfind(" (");
    const size_t start =
        open == std::string_view::npos ? (rest[0] == '(' ? 0 : rest.npos) : open + 1;
    if (start != std::string_view::npos) {
      const std::string_view t = rest.substr(start + 1, rest.size() - start - 2);
      if (text::looksLikeExceptionType(t)) {
        type = t;
        message = open == std::string_view::npos ? std::string_view() : rest.substr(0, open);
      }
    }
  }
  if (type.empty()) return false;
  std::string msg(message);
  std::vector<Frame> frames;
  frames.push_back(std::move(top));
  size_t end = i + 1;
  // Further lines of the message come before the first "from".
  size_t first_from = end;
  while (first_from < lines.size() && !lines[first_from].empty() &&
         !startsWith(trimLeft(lines[first_from]), "from ") && first_from - end < 20) {
    ++first_from;
  }
  if (first_from < lines.size() && startsWith(trimLeft(lines[first_from]), "from ")) {
    for (; end < first_from; ++end) {
      msg.push_back('\n');
      msg.append(trimRight(lines[end]));
    }
  }
  for (; end < lines.size(); ++end) {
    const std::string_view t = trimLeft(lines[end]);
    if (startsWith(t, "from ")) {
      Frame f;
      std::string_view after;
      if (parseRubyLocation(t.substr(5), f, after)) frames.push_back(std::move(f));
      continue;
    }
    if (startsWith(t, "... ") && t.ends_with("levels...")) continue;
    break;
  }
  std::reverse(frames.begin(), frames.end());
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "ruby";
  setException(out, type, msg, prefer);
  return true;
}

}  // namespace homeo::trace
