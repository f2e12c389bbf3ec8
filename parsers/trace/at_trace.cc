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
      s = s.substr(q + 2);
    } else {
      text::nextToken(s);
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

}  // namespace

bool analyzeAtTrace(Lines lines, size_t i, ErrorRecord& out, bool prefer) {
  if (i + 1 >= lines.size()) return false;
  const std::string_view next = trimLeft(lines[i + 1]);
  if (!isAtLine(next) && !startsWith(next, "---> ")) return false;
  AtHead head;
  if (!parseHead(lines[i], head)) return false;
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
