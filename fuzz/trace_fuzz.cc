// Fuzz target of the stack-trace reader (parsers/trace.cc): every language's trace analysis
// and the line classifiers that group trace lines into events.
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "parsers/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace homeo;
  const std::string_view text = fuzz::asText(data, size);
  std::vector<std::string_view> lines;
  splitLines(text, lines);

  // Grouping: each line either continues the lines before it or starts over.
  size_t start = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    (void)looksLikeTraceLine(lines[i]);
    const bool starts = startsTrace(lines[i]);
    if (i > start && (starts || !continuesTrace({lines.data() + start, i - start}, lines[i]))) {
      start = i;
    }
  }

  for (const bool prefer : {false, true}) {
    ErrorRecord record;
    if (prefer) record.message = "message";
    if (analyzeTrace(lines, record, prefer)) fuzz::checkRecord(record);
  }
  return 0;
}
