// Rust panics: "thread 'main' panicked at src/main.rs:2:5:" with the message on the next
// line (Rust 1.73+), or "thread 'main' panicked at 'msg', src/main.rs:2:5" (older), then
// "note:" lines and, with RUST_BACKTRACE set, "stack backtrace:" with "  N: function" and
// "at file:line:col" lines, innermost first. A frame's class is the path before the function
// ("shop::cart::Cart"); columns are kept. The thread goes to context.thread, the panic's
// location to context.panic_location.

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

// "  12: app::main" -> "app::main"; false when not a numbered backtrace line.
bool parseNumberedFrame(std::string_view t, std::string_view& function) {
  size_t k = 0;
  while (k < t.size() && text::isDigit(t[k])) ++k;
  if (k == 0 || k + 1 >= t.size() || t[k] != ':' || t[k + 1] != ' ') return false;
  function = trimLeft(t.substr(k + 2));
  // Full backtraces add the address: "  3:     0x55d4c8a0 - app::main".
  if (startsWith(function, "0x")) {
    const size_t dash = function.find(" - ");
    if (dash != std::string_view::npos) function = function.substr(dash + 3);
  }
  return true;
}

}  // namespace

bool splitRustPanicHead(std::string_view line, RustPanicHead& h) {
  const size_t t = line.find("thread '");
  if (t == std::string_view::npos) return false;
  // The name ends at the quote that " panicked at " (or the id) follows; a name may hold quotes.
  for (size_t name_end = line.find('\'', t + 8); name_end != std::string_view::npos;
       name_end = line.find('\'', name_end + 1)) {
    std::string_view after = line.substr(name_end + 1);
    std::string_view id;
    // Rust 1.89+: "thread 'main' (12345) panicked at".
    if (startsWith(after, " (")) {
      const size_t close = after.find(')');
      if (close == std::string_view::npos) continue;
      id = after.substr(2, close - 2);
      after = after.substr(close + 1);
    }
    if (!startsWith(after, " panicked at ")) continue;
    h.thread = line.substr(t + 8, name_end - t - 8);
    h.id = id;
    h.rest = after.substr(13);
    return true;
  }
  return false;
}

bool analyzeRust(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  const std::string_view head = trimRight(lines[i]);
  RustPanicHead ph;
  if (!splitRustPanicHead(head, ph)) return false;
  const std::string_view thread = ph.thread;
  std::string_view rest = ph.rest;
  std::string message;
  std::string_view location;
  size_t end = i + 1;
  if (!rest.empty() && (rest[0] == '\'' || rest[0] == '"')) {
    // Older form: the message quoted, then ", file:line:col".
    const size_t comma = rest.rfind("', ");
    if (comma == std::string_view::npos) return false;
    message.assign(rest.substr(1, comma - 1));
    location = rest.substr(comma + 3);
  } else {
    location = rest.ends_with(":") ? rest.substr(0, rest.size() - 1) : rest;
    // The message runs until a note, the backtrace or the end.
    while (end < lines.size() && !startsWith(lines[end], "note: ") &&
           !startsWith(lines[end], "stack backtrace:") && !lines[end].empty() &&
           !isTraceStart(lines[end])) {
      if (!message.empty()) message.push_back('\n');
      message.append(trimRight(lines[end]));
      ++end;
    }
  }
  std::vector<Frame> frames;
  bool backtrace = false;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    const std::string_view tl = trimLeft(l);
    if (startsWith(l, "note: ")) continue;
    if (startsWith(l, "stack backtrace:")) {
      backtrace = true;
      continue;
    }
    if (!backtrace || l.empty() || !text::isSpace(l[0])) break;
    std::string_view fn;
    if (parseNumberedFrame(tl, fn)) {
      Frame& f = frames.emplace_back();
      frames::setRustName(fn, f);
    } else if (startsWith(tl, "at ") && !frames.empty() && frames.back().file.empty()) {
      Frame& f = frames.back();
      std::string_view file;
      splitLocation(trimRight(tl.substr(3)), file, f.line, &f.column);
      f.file.assign(file);
    }
  }
  std::reverse(frames.begin(), frames.end());
  // Without a backtrace, or with one that names no files (a release build without debug
  // information), the panic's location is where it happened.
  if (std::none_of(frames.begin(), frames.end(), [](const Frame& f) { return f.located(); })) {
    Frame f;
    std::string_view file;
    splitLocation(location, file, f.line, &f.column);
    f.file.assign(file);
    if (f.located()) frames.push_back(std::move(f));
  }
  setTraceback(lines, i, end, out);
  out.frames = std::move(frames);
  out.language = "rust";
  setField(out.context, "thread", JsonValue(thread));
  if (auto id = text::parseUint(ph.id)) {
    setField(out.context, "thread_id", JsonValue(static_cast<int64_t>(*id)));
  }
  setField(out.context, "panic_location", JsonValue(location));
  setException(out, "panic", message, prefer);
  return true;
}

}  // namespace homeo::trace
