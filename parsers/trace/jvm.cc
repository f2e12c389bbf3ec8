// Java, Kotlin and Scala: "\tat pkg.Cls.m(File.java:42)" frames, innermost first, with
// "Caused by:" chains, "Suppressed:" blocks and "... N more" elisions. The exception reported
// is the one that propagated (the first printed); the end of its cause chain goes to
// context.root_cause, the thread an uncaught exception ended ("Exception in thread \"main\"")
// to context.thread. A frame's class is the fully qualified class, its function the method.

#include <algorithm>
#include <vector>

#include "parsers/trace/frame_names.h"
#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

// "at com.example.Foo.bar(Foo.java:42)", "at java.base/java.util.X.y(X.java:1) ~[app.jar:1]"
bool parseJvmFrame(std::string_view t, Frame& f) {
  if (!isAtLine(t)) return false;
  std::string_view s = t.substr(3);
  const size_t open = s.find('(');
  if (open == std::string_view::npos) return false;
  const size_t close = s.find(')', open);
  if (close == std::string_view::npos) return false;
  const std::string_view name = s.substr(0, open);
  if (name.empty() || name[0] == '[') return false;  // Jackson's " at [Source: ...]"
  frames::setJvmName(name, f);
  std::string_view file;
  splitLocation(s.substr(open + 1, close - open - 1), file, f.line);
  // "(Native Method)", "(Unknown Source)", "(<generated>)": no file to place the frame in.
  if (f.line == 0 && (file.find(' ') != std::string_view::npos || startsWith(file, "<"))) {
    file = {};
  }
  f.file.assign(file);
  return true;
}

bool isLibraryClass(std::string_view cls) {
  return startsWith(cls, "java.") || startsWith(cls, "javax.") || startsWith(cls, "jdk.") ||
         startsWith(cls, "sun.") || startsWith(cls, "kotlin.") || startsWith(cls, "kotlinx.") ||
         startsWith(cls, "scala.");
}

std::string_view jvmLanguage(const std::vector<Frame>& frames) {
  size_t java = 0, kotlin = 0, scala = 0;
  for (const Frame& f : frames) {
    if (isLibraryClass(f.class_name)) continue;
    if (f.file.ends_with(".kt")) ++kotlin;
    if (f.file.ends_with(".scala")) ++scala;
    if (f.file.ends_with(".java")) ++java;
  }
  if (kotlin > 0 && kotlin >= java && kotlin >= scala) return "kotlin";
  if (scala > 0 && scala >= java) return "scala";
  return "java";
}

}  // namespace

bool analyzeJvm(Lines lines, size_t i, const AtHead& head, ErrorRecord& out, bool prefer) {
  enum class Section { kMain, kCause, kSuppressed } section = Section::kMain;
  std::vector<Frame> frames;
  std::string_view cause_type, cause_msg;
  JsonArray suppressed;
  Frame f;
  size_t end = head.body;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    const std::string_view t = trimLeft(l);
    if (parseJvmFrame(t, f)) {
      if (section == Section::kMain) frames.push_back(f);
      continue;
    }
    if (startsWith(t, "...")) continue;  // "... 4 more", "... 3 common frames omitted"
    if (startsWith(t, "Caused by: ")) {
      std::string_view type, msg;
      // A cause of a suppressed exception is indented with it.
      if (indentOf(l) <= head.indent && splitExceptionLine(t.substr(11), type, msg)) {
        section = Section::kCause;
        cause_type = type;
        cause_msg = msg;
      }
      continue;
    }
    if (startsWith(t, "Suppressed: ")) {
      section = Section::kSuppressed;
      suppressed.emplace_back(trimRight(t.substr(12)));
      continue;
    }
    if (!l.empty() && text::isSpace(l[0])) continue;
    break;
  }
  std::reverse(frames.begin(), frames.end());
  setTraceback(lines, i, end, out);
  out.language = jvmLanguage(frames);
  out.frames = std::move(frames);
  setHeadException(lines, i, head, head.message, out, prefer);
  if (!head.thread.empty()) setField(out.context, "thread", JsonValue(head.thread));
  if (!cause_type.empty()) setRootCause(out, cause_type, cause_msg);
  if (!suppressed.empty()) setField(out.context, "suppressed", JsonValue(std::move(suppressed)));
  return true;
}

}  // namespace homeo::trace
