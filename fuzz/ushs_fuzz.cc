// Fuzz target of the USHS error-event converter (transports/http/ushs_event.cc): whatever bytes
// it is given as a record, it refuses them or writes one valid event with the USHS required
// keys.
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "transports/http/ushs_event.h"

namespace {

namespace dom = simdjson::dom;

[[noreturn]] void fail(const char* what, const std::string& event) {
  std::fprintf(stderr, "ushs event %s: %.2000s\n", what, event.c_str());
  std::abort();
}

std::string_view text(dom::element root, const char* pointer) {
  std::string_view s;
  if (root.at_pointer(pointer).get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

bool lowerUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static homeo::UshsEncoder encoder;
  static dom::parser parser;
  std::string event = "unchanged";
  std::string error;
  if (!encoder.encode(homeo::fuzz::asText(data, size), event, error)) {
    if (event != "unchanged" || error.empty()) fail("refused without a reason, or written", event);
    return 0;
  }
  event.erase(0, 9);
  dom::element root;
  if (parser.parse(event).get(root) != simdjson::SUCCESS || !root.is_object()) {
    fail("is not a JSON object", event);
  }
  const std::string_view severity = text(root, "/severity");
  if (!lowerUuid(text(root, "/id"))) fail("id is not a lower-case UUID", event);
  if (text(root, "/timestamp").empty()) fail("has no timestamp", event);
  if (severity != "critical" && severity != "high" && severity != "medium" && severity != "low") {
    fail("severity is not a USHS one", event);
  }
  if (text(root, "/source/service").empty()) fail("has no source service", event);
  if (text(root, "/error/type").empty() || text(root, "/error/message").empty()) {
    fail("has no error type or message", event);
  }
  return 0;
}
