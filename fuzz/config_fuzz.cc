// Fuzz target of the config loader: any text is decoded into a typed Config or answered
// with FILE:LINE:COL diagnostics, never a crash or an exception. A config that loads also
// builds its parser set, as `check` and `run` do.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace homeo;
  const config::LoadResult result = config::parseConfig(fuzz::asText(data, size), "fuzz.yaml");
  if (result.config.has_value() == !result.errors.empty()) std::abort();
  for (const auto& e : result.errors) {
    if (e.message.empty()) std::abort();
    (void)e.str();
  }
  if (!result.config) return 0;

  static const ParserRegistry registry = [] {
    ParserRegistry r;
    registerBuiltinParsers(r);
    return r;
  }();
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(registry, result.config->parsers, diags);
  if (!set && diags.empty()) std::abort();
  return 0;
}
