#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parsers/parser.h"
#include "parsers/trace.h"

namespace homeo::test {

// Parses `text` (lines joined by \n) as one event with parser p.
inline ParseStatus parseEvent(Parser& p, std::string_view text, ErrorRecord& out,
                              Level min_level = Level::kDebug) {
  std::vector<std::string_view> lines;
  splitLines(text, lines);
  LogEvent ev{lines, 0};
  return p.parse(ev, min_level, out);
}

}  // namespace homeo::test
