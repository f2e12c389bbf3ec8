#include "fuzz/fuzz_util.h"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace homeo::fuzz {

ParserSet& builtinParsers() {
  static const std::unique_ptr<ParserSet> set = [] {
    ParserRegistry registry;
    registerBuiltinParsers(registry);
    std::vector<config::Diagnostic> diags;
    auto s = ParserSet::create(registry, {}, diags);
    if (!s) std::abort();
    return s;
  }();
  return *set;
}

void checkRecord(const ErrorRecord& r) {
  static simdjson::dom::parser json;
  static std::string out;
  out.clear();
  serializeRecord(r, out);
  simdjson::dom::element doc;
  if (json.parse(out).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    std::fprintf(stderr, "record is not a JSON object: %s\n", out.c_str());
    std::abort();
  }
}

}  // namespace homeo::fuzz
