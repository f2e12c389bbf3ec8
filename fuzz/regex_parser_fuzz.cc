// Fuzz target of user-defined formats (the config's `parsers:` section): the first line of
// the input is the RE2 pattern, the rest a file read with `format: auto`, where the user
// format is the first candidate.
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace homeo;
  const std::string_view text = fuzz::asText(data, size);
  const size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return 0;

  static const ParserRegistry registry = [] {
    ParserRegistry r;
    registerBuiltinParsers(r);
    return r;
  }();
  config::UserParserConfig user;
  user.name = "custom";
  user.pattern.assign(text.substr(0, nl));
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(registry, {user}, diags);
  if (!set) {
    if (diags.empty()) std::abort();  // a rejected pattern is always explained
    return 0;
  }

  SourceInfo info;
  info.path = "fuzz.log";
  info.min_level = Level::kDebug;
  SourceParser source(*set, info, [](ErrorRecord& r) { fuzz::checkRecord(r); });
  fuzz::feedLines(source, text.substr(nl + 1));
  fuzz::checkSource(source, size - nl - 1);
  return 0;
}
