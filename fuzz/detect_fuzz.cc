// Fuzz target of format detection and event assembly: a byte stream read in chunks, cut into
// lines (tail/line_splitter.h), taken out of any container envelope (CRI, Docker
// json-file), its format detected (and re-detected) among every built-in format, its lines
// grouped into events and parsed, as the daemon reads a file with `format: auto`.
//
// Input: one control byte, then the stream. Control bits 0-5: chunk size - 1; bit 6: cut
// lines at 64 bytes (else 1 MiB); bit 7: flush after every chunk (a writer going idle
// between writes, which completes multi-line events and partial container lines early).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "parsers/container/container_unwrapper.h"
#include "parsers/trace.h"
#include "tail/line_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace homeo;
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::string_view stream = fuzz::asText(data + 1, size - 1);
  const size_t chunk = (control & 0x3f) + 1;
  const size_t max_line = (control & 0x40) ? 64 : (1 << 20);
  const bool flush_each = (control & 0x80) != 0;
  const ParserSet& set = fuzz::builtinParsers();

  // Detection alone, on the first lines.
  std::vector<std::string_view> lines;
  splitLines(stream, lines);
  if (lines.size() > SourceParser::kDetectLines) lines.resize(SourceParser::kDetectLines);
  const Detection d = detectFormat(set, lines);
  if (d.parser == nullptr || !(d.confidence >= 0 && d.confidence <= 1) ||
      d.sampled != lines.size()) {
    std::abort();
  }
  if (!lines.empty()) (void)ContainerUnwrapper::classify(lines.front());

  // The whole path of a followed file.
  SourceInfo info;
  info.path = "fuzz.log";
  info.min_level = Level::kDebug;
  SourceParser source(set, info, [](ErrorRecord& r) { fuzz::checkRecord(r); });
  LineSplitter splitter(max_line);
  auto on_line = [&](std::string_view line, uint64_t off, uint64_t end, bool) {
    source.addLine(line, off, end);
  };
  for (size_t off = 0; off < stream.size(); off += chunk) {
    splitter.feed(stream.substr(off, chunk), off, on_line);
    if (flush_each) source.flush();
    if (source.safeOffset() > off + chunk) std::abort();
  }
  splitter.finish(on_line);
  source.flush();
  fuzz::checkSource(source, stream.size());
  return 0;
}
