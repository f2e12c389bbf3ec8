// Fuzz target of the spool batch file reader (transports/spool_file.cc), which a transport's
// spool runs on every file an earlier run left: any bytes are trusted or refused with a reason,
// never a crash. A trusted file's body is a part of it, its records are its non-empty lines, and
// the body written again (with a new header) is trusted; any bytes given a header are trusted
// as they are, and refused once a byte of them changes.
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "transports/spool_file.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view data) {
  std::fprintf(stderr, "spool file %s:\n%.*s\n", what,
               static_cast<int>(std::min<size_t>(data.size(), 2000)), data.data());
  std::abort();
}

size_t records(std::string_view body) {
  static simdjson::dom::parser parser;
  size_t n = 0;
  homeo::forEachSpooledRecord(body, parser,
                              [&](std::string_view record, homeo::Level, homeo::RecordRoute) {
                                if (record.empty() || record.find('\n') != std::string_view::npos) {
                                  fail("record is empty or holds a newline", body);
                                }
                                ++n;
                              });
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  using namespace homeo;
  const std::string_view data = fuzz::asText(bytes, size);
  std::string_view body;
  const std::string problem = checkSpoolFile(data, body);
  if (!problem.empty()) {
    if (!body.empty()) fail("refused but with a body", data);
  } else {
    if (body.data() < data.data() || body.data() + body.size() > data.data() + data.size()) {
      if (!body.empty()) fail("body is not a part of the file", data);
    }
    if (records(body) > body.size()) fail("has more records than bytes", data);
    const std::string rewritten = spoolHeader(body) + std::string(body);
    std::string_view again;
    if (!checkSpoolFile(rewritten, again).empty() || again != body) {
      fail("written again is refused", rewritten);
    }
    if (data.front() == '#' && !body.empty() &&
        checkSpoolFile(data.substr(0, size - 1), again).empty()) {
      fail("cut by one byte is trusted", data);
    }
  }

  // Any bytes behind their own header.
  std::string file = spoolHeader(data) + std::string(data);
  if (file.size() != spoolHeaderSize(size) + size) fail("header size is wrong", file);
  if (!checkSpoolFile(file, body).empty() || body != data) fail("with its header is refused", file);
  if (size > 0) {
    file.back() ^= 0x20;
    if (checkSpoolFile(file, body).empty()) fail("with a changed byte is trusted", file);
  }

  // Batch names.
  uint64_t id = 0;
  size_t n = 0;
  if (parseSpoolFileName(data.substr(0, data.find('\n')), id, n)) {
    uint64_t id2 = 0;
    size_t n2 = 0;
    if (!parseSpoolFileName(spoolFileName(id, n), id2, n2) || id2 != id || n2 != n) {
      fail("name written again differs", data);
    }
  }
  return 0;
}
