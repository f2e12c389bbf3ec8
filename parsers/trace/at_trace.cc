// Traces whose frames are `at` lines: Java/Kotlin/Scala, Node.js and .NET. The head line is
// "Type: message" (after "Exception in thread \"main\" ", "Unhandled exception. " or
// "Uncaught "); the frames' shape tells the runtime apart.

#include "parsers/trace/trace_internal.h"

namespace homeo::trace {

using text::startsWith;
using text::trimLeft;
using text::trimRight;

namespace {

enum class AtKind { kJvm, kNode, kDotnet };

bool parseHead(std::string_view line, AtHead& h) {
  h.indent = indentOf(line);
  std::string_view s = trimRight(line.substr(h.indent));
  const size_t eit = s.find("Exception in thread ");
  if (eit != std::string_view::npos) {
    s = s.substr(eit + 20);
    if (startsWith(s, "\"")) {
      const size_t q = s.find("\" ", 1);
      if (q == std::string_view::npos) return false;
      h.thread = s.substr(1, q - 1);
      s = s.substr(q + 2);
    } else {
      h.thread = text::nextToken(s);
      s = trimLeft(s);
    }
  } else if (startsWith(s, "Unhandled exception. ") || startsWith(s, "Unhandled Exception: ")) {
    s = s.substr(21);
  } else if (startsWith(s, "Uncaught ")) {
    s = s.substr(9);
  }
  // Node.js "Error [ERR_MODULE_NOT_FOUND]: Cannot find module 'x'"
  const size_t bracket = s.find(" [");
  const size_t colon = s.find(": ");
  if (bracket != std::string_view::npos && (colon == std::string_view::npos || bracket < colon)) {
    const size_t close = s.find("]: ", bracket);
    if (close != std::string_view::npos && text::looksLikeExceptionType(s.substr(0, bracket))) {
      h.type = s.substr(0, bracket);
      h.code = s.substr(bracket + 2, close - bracket - 2);
      h.message = s.substr(close + 3);
      return true;
    }
  }
  return splitExceptionLine(s, h.type, h.message);
}

AtKind classify(std::string_view type, std::string_view next) {
  if (startsWith(next, "---> ") || startsWith(type, "System.") || startsWith(type, "Microsoft.")) {
    return AtKind::kDotnet;
  }
  std::string_view s = next.substr(3);
  if (s.find(" in ") != std::string_view::npos && s.find(":line ") != std::string_view::npos) {
    return AtKind::kDotnet;
  }
  const size_t open = s.find('(');
  if (open == std::string_view::npos || (open > 0 && s[open - 1] == ' ')) return AtKind::kNode;
  const size_t close = s.find(')', open);
  if (close == std::string_view::npos) return AtKind::kNode;
  const std::string_view args = s.substr(open + 1, close - open - 1);
  // Java names a source file or says "Native Method"/"Unknown Source"; .NET lists the
  // parameters, or nothing.
  if (args.empty()) return AtKind::kDotnet;
  if (args.find(' ') != std::string_view::npos && !startsWith(args, "Native Method") &&
      !startsWith(args, "Unknown Source")) {
    return AtKind::kDotnet;
  }
  return AtKind::kJvm;
}

// A frame line ("at ...", .NET's inner " ---> "); Jackson's " at [Source: ...]" is part of the
// message.
bool isFrameLine(std::string_view t) {
  return (isAtLine(t) && !startsWith(t, "at [")) || startsWith(t, "---> ");
}

// How many lines a message may run over after the head line before the frames begin.
constexpr size_t kMaxMessageLines = 20;

// A further line of the head's message: PostgreSQL's "  Detail: Key (id)=(7) already exists.",
// Jackson's " at [Source: (String)...; line: 1, column: 9]".
bool continuesMessage(std::string_view line) {
  const std::string_view t = trimLeft(line);
  return !t.empty() && !isFrameLine(t) && !startsWith(t, "Caused by: ") && !startsWith(t, "--- ") &&
         !isTraceStart(line);
}

}  // namespace

void setHeadException(Lines lines, size_t i, const AtHead& head, std::string_view message,
                      ErrorRecord& out, bool prefer) {
  const bool sets_message = prefer || out.message.empty();
  setException(out, head.type, message, prefer);
  if (!sets_message) return;
  for (size_t k = i + 1; k < head.body; ++k) {
    out.message.push_back('\n');
    out.message.append(trimRight(lines[k]));
  }
}

bool analyzeAtTrace(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  if (i + 1 >= lines.size()) return false;
  AtHead head;
  head.body = i + 1;
  if (!isFrameLine(trimLeft(lines[i + 1]))) {
    // Only a head line may be followed by the further lines of its message.
    if (trimLeft(lines[i + 1]).empty() || !parseHead(lines[i], head)) return false;
    while (head.body < lines.size() && head.body - i <= kMaxMessageLines &&
           continuesMessage(lines[head.body])) {
      ++head.body;
    }
    if (head.body >= lines.size() || !isFrameLine(trimLeft(lines[head.body]))) return false;
  } else if (!parseHead(lines[i], head)) {
    return false;
  }
  const std::string_view next = trimLeft(lines[head.body]);
  switch (classify(head.type, next)) {
    case AtKind::kJvm:
      return analyzeJvm(lines, i, head, out, prefer);
    case AtKind::kNode:
      return analyzeNode(lines, i, head, out, prefer);
    case AtKind::kDotnet:
      return analyzeDotnet(lines, i, head, out, prefer);
  }
  return false;
}

}  // namespace homeo::trace
