// PHP fatal errors: "PHP Fatal error:  Uncaught Exception: msg in /var/www/x.php:12", then
// "Stack trace:", "#0 /var/www/y.php(3): f()", ..., "#N {main}", "  thrown in ... on line 12".
// Fatal errors without an exception ("Allowed memory size ... in /x.php on line 12") too.
// Every one is CRITICAL. A frame's class is the class a method is called on ("App\\Cart" of
// "App\\Cart->lock"), its function the method.

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

bool isPhpTypeName(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (char c : s) {
    if (!text::isIdentChar(c) && c != '\\') return false;
  }
  return s.back() != '\\';
}

// "#0 /var/www/y.php(3): f()" -> location file, line and the call made there.
bool parseStackLine(std::string_view t, std::string_view& file, int64_t& line,
                    std::string_view& call) {
  if (t.size() < 3 || t[0] != '#' || !text::isDigit(t[1])) return false;
  const size_t space = t.find(' ');
  if (space == std::string_view::npos) return false;
  std::string_view s = t.substr(space + 1);
  file = {};
  line = 0;
  if (s == "{main}") {
    call = s;
    return true;
  }
  const size_t sep = s.find(": ");
  if (sep == std::string_view::npos) return false;
  std::string_view loc = s.substr(0, sep);
  call = s.substr(sep + 2);
  if (loc.ends_with(")")) {
    const size_t open = loc.rfind('(');
    if (open != std::string_view::npos) {
      line = lineNumber(loc.substr(open + 1, loc.size() - open - 2));
      if (line > 0) loc = loc.substr(0, open);
    }
  }
  if (loc != "[internal function]") file = loc;
  return true;
}

// "App\\Svc->charge('x')" -> "App\\Svc->charge"
std::string_view callName(std::string_view call) {
  const size_t open = call.find('(');
  return open == std::string_view::npos ? call : call.substr(0, open);
}

// Strips " in /path/x.php:12" or " in /path/x.php on line 12" from the end of `msg`.
std::string_view stripLocation(std::string_view msg, std::string_view& file, int64_t& line) {
  const size_t in = msg.rfind(" in ");
  if (in == std::string_view::npos) return msg;
  std::string_view loc = msg.substr(in + 4);
  const size_t on = loc.find(" on line ");
  if (on != std::string_view::npos) {
    line = lineNumber(loc.substr(on + 9));
    file = loc.substr(0, on);
  } else {
    splitLocation(loc, file, line);
  }
  if (line == 0) return msg;
  return msg.substr(0, in);
}

}  // namespace

bool analyzePhp(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  const std::string_view head = trimRight(lines[i]);
  const size_t fe = head.find("Fatal error: ");
  if (fe == std::string_view::npos) return false;
  const bool php_prefix = fe >= 4 && head.substr(fe - 4, 4) == "PHP ";
  std::string_view rest = trimLeft(head.substr(fe + 13));
  const bool uncaught = startsWith(rest, "Uncaught ");
  if (!php_prefix && !uncaught) return false;
  std::string_view type = "Fatal error";
  if (uncaught) {
    rest.remove_prefix(9);
    const size_t colon = rest.find(": ");
    const std::string_view t = colon == std::string_view::npos ? rest : rest.substr(0, colon);
    if (!isPhpTypeName(t)) return false;
    type = t;
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 2);
  }
  std::string_view throw_file;
  int64_t throw_line = 0;
  const std::string_view message = stripLocation(rest, throw_file, throw_line);

  // PHP lists the innermost call first: "#k file(line): call" is a line inside the function
  // that "#k+1" calls, and the exception was thrown inside the function "#0" calls.
  struct Entry {
    std::string_view file;
    int64_t line;
    std::string_view call;
  };
  std::vector<Entry> entries;
  size_t end = i + 1;
  for (; end < lines.size(); ++end) {
    const std::string_view t = trimLeft(lines[end]);
    if (startsWith(t, "Stack trace:") || startsWith(t, "PHP Stack trace:")) continue;
    Entry e{};
    if (parseStackLine(t, e.file, e.line, e.call)) {
      entries.push_back(e);
      continue;
    }
    if (startsWith(t, "thrown in ")) {
      ++end;
      break;
    }
    const std::string_view after_php = startsWith(t, "PHP ") ? trimLeft(t.substr(4)) : "";
    if (!after_php.empty() && text::isDigit(after_php[0])) {
      continue;  // xdebug's "PHP   1. {main}() /x.php:0" listing
    }
    break;
  }
  std::vector<Frame> frames;
  for (size_t k = entries.size(); k-- > 0;) {
    if (entries[k].file.empty()) continue;
    Frame f;
    f.file.assign(entries[k].file);
    f.line = entries[k].line;
    frames::setPhpName(k + 1 < entries.size() ? callName(entries[k + 1].call) : "{main}", f);
    frames.push_back(std::move(f));
  }
  if (!throw_file.empty()) {
    Frame f;
    f.file.assign(throw_file);
    f.line = throw_line;
    const bool in_main = entries.empty() || entries.front().call == "{main}";
    frames::setPhpName(in_main ? "{main}" : callName(entries.front().call), f);
    frames.push_back(std::move(f));
  }
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "php";
  setException(out, type, message, prefer);
  // A fatal error ended the script or the request, whatever level the line was logged at.
  out.level = Level::kCritical;
  return true;
}

}  // namespace homeo::trace
