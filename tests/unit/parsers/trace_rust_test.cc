#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kRust =
    "thread 'main' panicked at src/main.rs:2:5:\n"
    "index out of bounds: the len is 3 but the index is 99\n"
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace";

constexpr std::string_view kBacktrace =
    "thread 'main' panicked at 'boom', src/lib.rs:7:9\n"
    "stack backtrace:\n"
    "   0: rust_begin_unwind\n"
    "             at /rustc/abc/library/std/src/panicking.rs:597:5\n"
    "   1: app::parse\n"
    "             at ./src/lib.rs:7:9\n"
    "   2: app::main\n"
    "             at ./src/main.rs:4:5\n"
    "note: Some details are omitted.";

}  // namespace

TEST_CASE("trace rust: panic without backtrace", "[trace][rust]") {
  const ErrorRecord r = test::analyzeText(kRust);
  CHECK(r.language == "rust");
  CHECK(r.exception_type == "panic");
  CHECK(r.message == "index out of bounds: the len is 3 but the index is 99");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().file == "src/main.rs");
  CHECK(r.frames.back().line == 2);
  CHECK(test::contextString(r, "thread") == "main");
}

TEST_CASE("trace rust: older form with a backtrace", "[trace][rust]") {
  const ErrorRecord r = test::analyzeText(kBacktrace);
  CHECK(r.message == "boom");
  REQUIRE(r.frames.size() == 3);
  CHECK(r.frames.front().function == "app::main");
  CHECK(r.frames[1].file == "./src/lib.rs");
  CHECK(r.frames[1].line == 7);
  CHECK(r.frames.back().function == "rust_begin_unwind");
  CHECK(r.traceback.size() == 9);
}

TEST_CASE("trace rust: grouping in the text format", "[trace][rust]") {
  CHECK(test::groupText("start\n" + std::string(kRust) + "\nnext\n") ==
        std::vector<size_t>{1, 3, 1});
  CHECK(test::groupText(std::string(kBacktrace) + "\nnext\n") == std::vector<size_t>{9, 1});
}

TEST_CASE("trace rust: fingerprints", "[trace][rust]") {
  const std::string a = test::fingerprintOf(kBacktrace);
  std::string moved(kBacktrace);
  moved.replace(moved.find("lib.rs:7:9\n   "), 10, "lib.rs:9:1");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kBacktrace);
  other.replace(other.find("app::parse"), 10, "app::check");
  CHECK(test::fingerprintOf(other) != a);
  // Without a backtrace: the panic location is the frame.
  std::string elsewhere(kRust);
  elsewhere.replace(elsewhere.find("src/main.rs"), 11, "src/conf.rs");
  CHECK(test::fingerprintOf(elsewhere) != test::fingerprintOf(kRust));
}
