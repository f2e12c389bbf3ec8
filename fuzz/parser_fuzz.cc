// Fuzz target of one built-in format, named by HOMEO_FUZZ_FORMAT at compile time (the build
// makes one target per format from the same source). The input is read as a file in that
// format: probed line by line (scanStart() checked against startsEvent() and parse()),
// grouped into events and parsed as `--format NAME` does, and parsed once more whole, as a
// single event.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "parsers/trace.h"

#ifndef HOMEO_FUZZ_FORMAT
#error "HOMEO_FUZZ_FORMAT must name the format under test"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace homeo;
  const std::string_view text = fuzz::asText(data, size);
  ParserSet& set = fuzz::builtinParsers();
  Parser* parser = set.find(HOMEO_FUZZ_FORMAT);
  if (parser == nullptr) std::abort();

  std::vector<std::string_view> lines;
  splitLines(text, lines);
  for (const auto line : lines) {
    const int score = parser->probe(line);
    if (score < 0 || score > 100) std::abort();
    // scanStart() starts events where startsEvent() does, and a level it tells is one parse()
    // keeps to: the line's event is below every min_level above it.
    const EventStart start = parser->scanStart(line);
    if (start.starts != parser->startsEvent(line)) std::abort();
    if (start.starts && start.level && *start.level != Level::kCritical) {
      ErrorRecord scratch;
      const std::string_view one[] = {line};
      const auto above = static_cast<Level>(static_cast<int>(*start.level) + 1);
      if (parser->parse(LogEvent{one, 0}, above, scratch) != ParseStatus::kBelowLevel) {
        std::abort();
      }
    }
  }

  // The format as a source reads it (min_level ERROR, the default).
  SourceInfo info;
  info.path = "fuzz.log";
  info.format = HOMEO_FUZZ_FORMAT;
  SourceParser source(set, info, [](ErrorRecord& r) { fuzz::checkRecord(r); });
  fuzz::feedLines(source, text);
  fuzz::checkSource(source, size);

  // Every line as one event, whatever its first line is: parse() must answer kNotMatched, not
  // fail, on an event that is not in its format.
  if (!lines.empty() && lines.size() <= SourceParser::kMaxEventLines) {
    ErrorRecord record;
    const LogEvent event{lines, 0};
    if (parser->parse(event, Level::kDebug, record) == ParseStatus::kRecord) {
      fuzz::checkRecord(record);
    }
    // A level the first line tells holds for the event, whatever lines follow it.
    const EventStart start = parser->scanStart(lines[0]);
    if (start.starts && start.level && *start.level != Level::kCritical &&
        (!start.if_alone || lines.size() == 1)) {
      record.clear();
      const auto above = static_cast<Level>(static_cast<int>(*start.level) + 1);
      if (parser->parse(event, above, record) != ParseStatus::kBelowLevel) std::abort();
    }
  }
  return 0;
}
