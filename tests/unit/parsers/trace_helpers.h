#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "parsers/text/text_parser.h"
#include "parsers/trace.h"

namespace homeo::test {

// Runs analyzeTrace over `text` (lines joined by \n); fails the test when no trace is found.
inline ErrorRecord analyzeText(std::string_view text) {
  std::vector<std::string_view> lines;
  splitLines(text, lines);
  ErrorRecord r;
  REQUIRE(analyzeTrace(lines, r));
  return r;
}

inline std::string fingerprintOf(std::string_view text) {
  return computeFingerprint(analyzeText(text));
}

// A string in the record's context: context[key], or context[key][sub].
inline std::string contextString(const ErrorRecord& r, std::string_view key,
                                 std::string_view sub = {}) {
  const JsonValue* v = findField(r.context, key);
  if (v && !sub.empty()) {
    const JsonObject* o = v->asObject();
    v = o ? findField(*o, sub) : nullptr;
  }
  const std::string* s = v ? v->asString() : nullptr;
  return s ? *s : std::string();
}

// Groups `text` into events the way SourceParser does for the text format (no line is a
// header; a line joins the open event when continuesEvent says so) and returns the events'
// line counts.
inline std::vector<size_t> groupText(std::string_view text) {
  auto parser = makeTextParser();
  std::vector<std::string_view> lines;
  splitLines(text, lines);
  std::vector<size_t> sizes;
  std::vector<std::string_view> event;
  for (std::string_view line : lines) {
    if (!event.empty() && parser->continuesEvent(event, line)) {
      event.push_back(line);
      continue;
    }
    if (!event.empty()) sizes.push_back(event.size());
    event.assign(1, line);
  }
  if (!event.empty()) sizes.push_back(event.size());
  return sizes;
}

}  // namespace homeo::test
