#include "parsers/trace.h"

#include <algorithm>
#include <string>

#include "parsers/text_util.h"

namespace homeo {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace text {

bool looksLikeExceptionType(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  size_t last_segment = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' || c == '$' || c == ':') {
      // Ruby-style Foo::Bar and Java inner classes Foo$Bar are fine; empty segments are not.
      if (i == 0 || i + 1 == s.size()) return false;
      last_segment = i + 1;
      continue;
    }
    if (!isIdentChar(c)) return false;
  }
  const std::string_view name = s.substr(last_segment);
  if (name.empty() || !(name[0] >= 'A' && name[0] <= 'Z')) return false;
  return true;
}

}  // namespace text

void splitLines(std::string_view text, std::vector<std::string_view>& out) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (nl == text.size()) {
      if (!line.empty()) out.push_back(line);
      break;
    }
    out.push_back(line);
    start = nl + 1;
  }
}

namespace {

constexpr std::string_view kPyTraceback = "Traceback (most recent call last):";
constexpr std::string_view kPyDuring = "During handling of the above exception";
constexpr std::string_view kPyCause = "The above exception was the direct cause";

// `  File "/app/api.py", line 42, in get_user`
bool parsePythonFrame(std::string_view line, Frame& f) {
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
    if (auto n = text::parseUint(s.substr(0, i))) f.line = *n;
    s.remove_prefix(i);
  }
  if (startsWith(s, ", in ")) f.function.assign(trimRight(s.substr(5)));
  return true;
}

// Splits "Type: message" (or a bare "Type") when Type looks like an exception type.
bool splitExceptionLine(std::string_view line, std::string_view& type, std::string_view& msg) {
  line = trimRight(line);
  const size_t colon = line.find(": ");
  std::string_view t = colon == std::string_view::npos ? line : line.substr(0, colon);
  if (colon == std::string_view::npos && !line.empty() && line.back() == ':') {
    t = line.substr(0, line.size() - 1);
  }
  if (!text::looksLikeExceptionType(t)) return false;
  type = t;
  msg = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 2);
  return true;
}

bool analyzePython(std::span<const std::string_view> lines, size_t first, ErrorRecord& out,
                   bool prefer_message) {
  // The last traceback block is the exception that was raised last; earlier blocks are the
  // exceptions it was raised while handling.
  size_t block = first;
  for (size_t i = first; i < lines.size(); ++i) {
    if (startsWith(trimLeft(lines[i]), kPyTraceback)) block = i;
  }
  std::vector<Frame> frames;
  size_t i = block + 1;
  Frame f;
  while (i < lines.size()) {
    const std::string_view l = lines[i];
    if (l.empty() || !text::isSpace(l[0])) break;
    if (parsePythonFrame(l, f)) frames.push_back(f);
    ++i;
  }
  std::string_view type, msg;
  std::string message;
  size_t end = i;
  if (i < lines.size() && splitExceptionLine(lines[i], type, msg)) {
    message.assign(msg);
    end = i + 1;
    // A multi-line exception message runs until a blank line or the next section.
    while (end < lines.size() && !lines[end].empty() && !startsWith(lines[end], kPyTraceback) &&
           !startsWith(lines[end], kPyDuring) && !startsWith(lines[end], kPyCause)) {
      message.push_back('\n');
      message.append(trimRight(lines[end]));
      ++end;
    }
  } else {
    end = i;
  }
  out.traceback.clear();
  for (size_t k = first; k < std::max(end, block + 1); ++k) {
    out.traceback.emplace_back(trimRight(lines[k]));
  }
  out.frames = std::move(frames);
  out.language = "python";
  if (!type.empty()) {
    out.exception_type.assign(type);
    if (prefer_message || out.message.empty()) {
      out.message = std::move(message);
    }
  }
  return true;
}

// `\tat com.example.Foo.bar(Foo.java:42)`
bool parseJavaFrame(std::string_view line, Frame& f) {
  std::string_view s = trimLeft(line);
  if (!startsWith(s, "at ")) return false;
  s.remove_prefix(3);
  const size_t open = s.find('(');
  if (open == std::string_view::npos || s.back() != ')') return false;
  f.function.assign(s.substr(0, open));
  std::string_view loc = s.substr(open + 1, s.size() - open - 2);
  const size_t colon = loc.rfind(':');
  f.line = 0;
  if (colon != std::string_view::npos) {
    if (auto n = text::parseUint(loc.substr(colon + 1))) {
      f.line = *n;
      loc = loc.substr(0, colon);
    }
  }
  f.file.assign(loc);
  return true;
}

bool analyzeJava(std::span<const std::string_view> lines, ErrorRecord& out, bool prefer_message) {
  // The first line that names an exception and is followed by `at` frames.
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    std::string_view head = trimLeft(lines[i]);
    if (startsWith(head, "Exception in thread \"")) {
      const size_t q = head.find("\" ", 21);
      if (q != std::string_view::npos) head = head.substr(q + 2);
    }
    std::string_view type, msg;
    if (!splitExceptionLine(head, type, msg)) continue;
    if (!startsWith(trimLeft(lines[i + 1]), "at ")) continue;
    std::vector<Frame> frames;
    Frame f;
    size_t end = i + 1;
    while (end < lines.size()) {
      const std::string_view l = trimLeft(lines[end]);
      if (parseJavaFrame(l, f)) {
        frames.push_back(f);
      } else if (!startsWith(l, "...") && !startsWith(l, "Caused by:") &&
                 !startsWith(l, "Suppressed:") &&
                 !(lines[end].size() > 0 && text::isSpace(lines[end][0]))) {
        break;
      }
      ++end;
    }
    // Java prints the innermost frame first; records run outermost first.
    std::reverse(frames.begin(), frames.end());
    out.traceback.clear();
    for (size_t k = i; k < end; ++k) out.traceback.emplace_back(trimRight(lines[k]));
    out.frames = std::move(frames);
    out.language = "java";
    out.exception_type.assign(type);
    if (prefer_message || out.message.empty()) out.message.assign(msg);
    return true;
  }
  return false;
}

}  // namespace

bool looksLikeTraceLine(std::string_view line) {
  if (line.empty()) return false;
  if (text::isSpace(line[0])) return !trimLeft(line).empty();
  return startsWith(line, kPyTraceback) || startsWith(line, kPyDuring) ||
         startsWith(line, kPyCause) || startsWith(line, "Caused by:") ||
         startsWith(line, "Suppressed:");
}

bool analyzeTrace(std::span<const std::string_view> lines, ErrorRecord& out,
                  bool prefer_trace_message) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (startsWith(trimLeft(lines[i]), kPyTraceback)) {
      return analyzePython(lines, i, out, prefer_trace_message);
    }
  }
  return analyzeJava(lines, out, prefer_trace_message);
}

}  // namespace homeo
