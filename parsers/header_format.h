#pragma once

#include <string_view>

#include "parsers/parser.h"

namespace homeo {

// A line format recognised by one header scanner, `ParseHeader(line, header)`: a line is an
// event's header when the scanner accepts it, and detection scores it with the header's own
// `confidence` member, or with `kConfidence` when the format is certain once it matches.
// A format whose parse() decides the level from the header alone (and returns kBelowLevel
// before it looks at anything else) names the function that gives it, `LevelOf(header, start)`,
// so that the event assembler can drop the events below min_level unparsed (Parser::scanStart).
// Formats derive from it and implement name() and parse() only.
template <typename Header, bool (*ParseHeader)(std::string_view, Header&), int kConfidence = 0,
          void (*LevelOf)(const Header&, EventStart&) = nullptr>
class HeaderFormat : public Parser {
 public:
  int probe(std::string_view line) const override {
    Header h;
    if (!ParseHeader(line, h)) return 0;
    if constexpr (kConfidence > 0) {
      return kConfidence;
    } else {
      return h.confidence;
    }
  }

  bool startsEvent(std::string_view line) const override {
    Header h;
    return ParseHeader(line, h);
  }

  EventStart scanStart(std::string_view line) const override {
    Header h;
    EventStart start;
    start.starts = ParseHeader(line, h);
    if constexpr (LevelOf != nullptr) {
      if (start.starts) LevelOf(h, start);
    }
    return start;
  }
};

}  // namespace homeo
