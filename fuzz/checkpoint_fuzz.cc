// Fuzz target of the checkpoint file parser (tail/checkpoint_file.cc), which CheckpointStore
// runs on state_dir/checkpoints at every start: any bytes are read as checkpoints or refused
// with a reason, never a crash; what it reads is written back and read again unchanged.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_util.h"
#include "tail/checkpoint_file.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "checkpoints %s:\n%.2000s\n", what, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace homeo;
  CheckpointFile content;
  std::string error;
  if (!parseCheckpoints(fuzz::asText(data, size), content, &error)) {
    if (error.empty()) fail("refused without a reason", std::string(fuzz::asText(data, size)));
    if (!content.files.empty() || !content.journals.empty()) fail("refused but kept", error);
    return 0;
  }
  const std::string written = formatCheckpoints(content);
  CheckpointFile again;
  if (!parseCheckpoints(written, again, &error))
    fail(("written are refused: " + error).c_str(), written);
  if (!(again == content)) fail("read back differ", written);
  if (formatCheckpoints(again) != written) fail("written twice differ", written);
  return 0;
}
