// Go: "panic: msg" / "fatal error: msg", then goroutine dumps. Only the first goroutine (the
// one that panicked, marked [running] in a panic) gives frames; Go prints its innermost
// call first, each as a function line and an indented "file:line +0xoff" line. A panic raised
// while panicking, or again after a recovery ("panic: a [recovered]" then "\tpanic: b"), is
// printed under the first: the last one is the panic that ended the program.
//
// Also gin's recovery middleware, which logs the panics it recovered in a layout of its own:
// "[Recovery] <time> panic recovered:", the request in debug mode, the panic value, then
// "file:line (0xpc)" lines each followed by "\tfunction: source line".
//
// A frame's class is the package, with the receiver type when Go writes it in parentheses;
// the goroutine's id goes to context.goroutine, a signal to context.signal ("SIGSEGV") and
// context.signal_detail.

#include <algorithm>
#include <cctype>
#include <vector>

#include "parsers/trace/frame_names.h"
#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

constexpr std::string_view kGinRecovery = "[Recovery] ";
constexpr std::string_view kGinRecovered = " panic recovered:";
constexpr std::string_view kAnsiReset = "\x1b[0m";

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

// " [recovered]", " [recovered, repanicked]": the panic was recovered, then raised again.
std::string_view withoutRecoveredMark(std::string_view msg) {
  if (!msg.ends_with("]")) return msg;
  const size_t open = msg.rfind(" [recovered");
  return open == std::string_view::npos ? msg : msg.substr(0, open);
}

// "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f7a6]"
void setSignal(std::string_view line, ErrorRecord& out) {
  const std::string_view trimmed = trimRight(line);
  if (trimmed.size() <= 8) return;  // "[signal " and spaces: a line cut short
  std::string_view s = trimmed.substr(8);
  if (s.ends_with("]")) s.remove_suffix(1);
  size_t end = 0;
  while (end < s.size() && s[end] != ':' && s[end] != ' ') ++end;
  if (end == 0) return;
  setField(out.context, "signal", JsonValue(s.substr(0, end)));
  std::string_view detail = s.substr(end);
  if (startsWith(detail, ":")) detail.remove_prefix(1);
  detail = trimLeft(detail);
  if (!detail.empty()) setField(out.context, "signal_detail", JsonValue(detail));
}

// "goroutine 7 [running]:", "goroutine 1 gp=0xc000002380 m=0 mp=0x6f2d60 [running]:"
void setGoroutine(std::string_view line, ErrorRecord& out) {
  std::string_view s = line.substr(10);
  size_t n = 0;
  while (n < s.size() && text::isDigit(s[n])) ++n;
  if (n == 0) return;
  if (auto id = text::parseUint(s.substr(0, n))) {
    setField(out.context, "goroutine", JsonValue(static_cast<int64_t>(*id)));
  }
}

// gin names a function without its package: "GetOrder", "(*Context).Next".
void setGinName(std::string_view name, Frame& f) {
  f.class_name.clear();
  if (startsWith(name, "(")) {
    const size_t close = name.find(").");
    if (close != std::string_view::npos && close + 2 < name.size()) {
      f.class_name.assign(name.substr(0, close + 1));
      name = name.substr(close + 2);
    }
  }
  f.function.assign(name);
}

// "/app/handlers/orders.go:42 (0x8a1b2c)" -> file and line.
bool parseGinLocation(std::string_view line, std::string_view& file, int64_t& n) {
  if (line.empty() || text::isSpace(line[0])) return false;
  line = trimRight(line);
  if (!line.ends_with(")")) return false;
  const size_t open = line.rfind(" (0x");
  if (open == std::string_view::npos) return false;
  for (size_t k = open + 4; k + 1 < line.size(); ++k) {
    if (!std::isxdigit(static_cast<unsigned char>(line[k]))) return false;
  }
  splitLocation(line.substr(0, open), file, n);
  return n > 0 && !file.empty();
}

// gin's output from lines[i] (its header line, or the panic value when the header is not among
// the lines): the panic value as message, the frames (gin lists the innermost first).
bool analyzeGin(Lines lines, size_t i, bool header, ErrorRecord& out, bool prefer) {
  // The stack begins at the first location line; the panic value is printed right above it,
  // after the request (in debug mode) and the blank lines that end it.
  size_t stack = i + 1;
  while (stack < lines.size() && stack - i < 64 && !isGinLocationLine(lines[stack])) ++stack;
  if (stack >= lines.size() || stack - i >= 64) return false;
  size_t msg_begin = header ? i + 1 : i;
  for (size_t k = stack; k-- > msg_begin;) {
    if (trimRight(lines[k]).empty()) {
      msg_begin = k + 1;
      break;
    }
  }
  if (msg_begin >= stack) return false;
  if (header && msg_begin > i + 1) {
    // "GET /orders/7 HTTP/1.1", the request line of the dump.
    std::string_view req = trimRight(lines[i + 1]);
    const std::string_view method = text::nextToken(req);
    const std::string_view path = text::nextToken(req);
    if (!method.empty() && !path.empty() && startsWith(trimLeft(req), "HTTP/")) {
      setField(out.request_info, "method", JsonValue(method));
      setField(out.request_info, "path", JsonValue(path));
    }
  }
  std::vector<Frame> frames;
  size_t end = stack;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    std::string_view file;
    int64_t n = 0;
    if (parseGinLocation(l, file, n)) {
      Frame& f = frames.emplace_back();
      f.file.assign(file);
      f.line = n;
      continue;
    }
    // "\tGetOrder: item := order.Items[idx]" names the function of the location above it.
    if (!l.empty() && l[0] == '\t' && !frames.empty() && frames.back().function.empty()) {
      const std::string_view t = trimLeft(l);
      const size_t colon = t.find(": ");
      setGinName(colon == std::string_view::npos ? t : t.substr(0, colon), frames.back());
      continue;
    }
    if (trimRight(l) == kAnsiReset) ++end;
    break;
  }
  std::reverse(frames.begin(), frames.end());
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "go";
  const bool sets_message = prefer || out.message.empty();
  setException(out, "panic", trimRight(lines[msg_begin]), prefer);
  if (sets_message) {
    for (size_t k = msg_begin + 1; k < stack; ++k) {
      out.message.push_back('\n');
      out.message.append(trimRight(lines[k]));
    }
  }
  setField(out.context, "recovered_by", JsonValue("gin"));
  return true;
}

}  // namespace

bool isGinRecoveryHeader(std::string_view line) {
  // Most lines end otherwise: the colon is checked before anything is searched.
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  return !line.empty() && line.back() == ':' && line.ends_with(kGinRecovered) &&
         line.find(kGinRecovery) != std::string_view::npos;
}

bool isGinLocationLine(std::string_view line) {
  std::string_view file;
  int64_t n = 0;
  return parseGinLocation(line, file, n);
}

bool analyzeGo(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  const std::string_view head = trimLeft(lines[i]);
  std::string_view type;
  std::string_view message;
  if (startsWith(head, "panic: ")) {
    type = "panic";
    message = withoutRecoveredMark(trimRight(head.substr(7)));
  } else if (startsWith(head, "fatal error: ")) {
    type = "fatal error";
    message = trimRight(head.substr(13));
  } else if (isGinRecoveryHeader(head)) {
    return analyzeGin(lines, i, true, out, prefer);
  } else if (i + 1 < lines.size() && isGinLocationLine(lines[i + 1]) && !head.empty() &&
             !text::isSpace(lines[i][0]) && !isGinLocationLine(head)) {
    // gin's panic value and stack without its header line (which a log format read).
    return analyzeGin(lines, i, false, out, prefer);
  } else {
    return false;
  }
  // The panics printed under the first, each indented: the last one ended the program; the
  // first is the root cause when it differs.
  const std::string_view first_message = message;
  std::vector<Frame> frames;
  int goroutines = 0;
  size_t end = i + 1;
  Frame f;
  bool skip_location = false;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    const std::string_view t = trimLeft(l);
    if (t.empty()) continue;
    if (goroutines == 0 && frames.empty() && text::isSpace(l[0]) && startsWith(t, "panic: ")) {
      message = withoutRecoveredMark(trimRight(t.substr(7)));
      continue;
    }
    if (startsWith(l, "goroutine ")) {
      if (++goroutines == 1) setGoroutine(l, out);
      continue;
    }
    if (startsWith(l, "[signal ")) {
      setSignal(l, out);
      continue;
    }
    if (startsWith(l, "created by ")) {
      skip_location = true;  // where the goroutine was started, not part of its stack
      continue;
    }
    if (isGoFunctionLine(l)) {
      frames::setGoName(goFunctionName(l), f);
      f.file.clear();
      f.line = 0;
      skip_location = false;
      if (goroutines == 1) frames.push_back(f);
      continue;
    }
    if (text::isSpace(l[0])) {
      // A location line, or exit-code noise.
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
  if (message != first_message) setRootCause(out, type, first_message);
  return true;
}

}  // namespace homeo::trace
