#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kPanic =
    "panic: runtime error: index out of range [5] with length 3\n"
    "\n"
    "goroutine 1 [running]:\n"
    "main.(*Queue).Pop(0xc000010018)\n"
    "\t/app/queue.go:21 +0x1d\n"
    "main.main()\n"
    "\t/app/main.go:9 +0x25\n"
    "\n"
    "goroutine 6 [select]:\n"
    "main.worker()\n"
    "\t/app/worker.go:30 +0x5e\n"
    "created by main.main in goroutine 1\n"
    "\t/app/main.go:7 +0x1a";

}  // namespace

TEST_CASE("trace go: panic, first goroutine only", "[trace][go]") {
  const ErrorRecord r = test::analyzeText(kPanic);
  CHECK(r.language == "go");
  CHECK(r.exception_type == "panic");
  CHECK(r.message == "runtime error: index out of range [5] with length 3");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.front().function == "main.main");
  CHECK(r.frames.back().file == "/app/queue.go");
  CHECK(r.frames.back().line == 21);
  CHECK(r.frames.back().function == "main.(*Queue).Pop");
  CHECK(r.traceback.size() == 13);
}

TEST_CASE("trace go: fatal error", "[trace][go]") {
  const ErrorRecord r = test::analyzeText(
      "fatal error: all goroutines are asleep - deadlock!\n"
      "\n"
      "goroutine 1 [chan receive]:\n"
      "main.main()\n"
      "\t/app/main.go:21 +0x2d");
  CHECK(r.exception_type == "fatal error");
  CHECK(r.message == "all goroutines are asleep - deadlock!");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().line == 21);
}

TEST_CASE("trace go: grouping in the text format", "[trace][go]") {
  std::string text = "worker started\n";
  text += kPanic;
  text += "\nexit status 2\n";
  CHECK(test::groupText(text) == std::vector<size_t>{1, 13, 1});
}

TEST_CASE("trace go: fingerprints", "[trace][go]") {
  const std::string a = test::fingerprintOf(kPanic);
  std::string moved(kPanic);
  moved.replace(moved.find("queue.go:21"), 11, "queue.go:25");
  moved.replace(moved.find("[5]"), 3, "[8]");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kPanic);
  other.replace(other.find("(*Queue).Pop"), 12, "(*Queue).Put");
  CHECK(test::fingerprintOf(other) != a);
}
