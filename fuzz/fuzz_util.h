#pragma once

// Helpers shared by the fuzz targets: building the parser set, cutting input into lines, and
// the checks every record must pass.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/record.h"
#include "parsers/parser.h"
#include "parsers/parser_set.h"
#include "parsers/source_parser.h"

namespace homeo::fuzz {

inline std::string_view asText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Every built-in format, built once per process (parsers keep no state between calls).
ParserSet& builtinParsers();

// Aborts unless the record serializes to a valid JSON object, whatever bytes it was parsed
// from.
void checkRecord(const ErrorRecord& r);

// Feeds `text` to `parser` line by line, as the daemon does after cutting a file at \n (a \r
// before the \n is dropped), then flushes.
inline void feedLines(SourceParser& parser, std::string_view text) {
  uint64_t offset = 0;
  while (offset < text.size()) {
    size_t nl = text.find('\n', offset);
    const bool last = nl == std::string_view::npos;
    if (last) nl = text.size();
    std::string_view line = text.substr(offset, nl - offset);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const uint64_t end = last ? nl : nl + 1;
    parser.addLine(line, offset, end);
    offset = end;
  }
  parser.flush();
}

// Checks the invariants a source keeps whatever it reads.
inline void checkSource(const SourceParser& parser, uint64_t input_size) {
  const SourceStats& s = parser.stats();
  if (parser.pending() || parser.safeOffset() > input_size || s.records > s.events ||
      s.records + s.below_level + s.unmatched < s.events) {
    std::fprintf(stderr, "inconsistent source state: pending=%d safe=%llu events=%llu\n",
                 parser.pending(), static_cast<unsigned long long>(parser.safeOffset()),
                 static_cast<unsigned long long>(s.events));
    std::abort();
  }
}

}  // namespace homeo::fuzz
