#include "tests/unit/parsers/parse_helpers.h"
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
  CHECK(r.frames.back().column == 5);
  CHECK(test::contextString(r, "thread") == "main");
  CHECK(test::contextString(r, "panic_location") == "src/main.rs:2:5");
}

TEST_CASE("trace rust: the thread's id, as Rust 1.89 prints it", "[trace][rust]") {
  const ErrorRecord r = test::analyzeText(
      "thread 'main' (48213) panicked at src/main.rs:7:5:\n"
      "explicit panic\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace");
  CHECK(r.message == "explicit panic");
  CHECK(test::contextString(r, "thread") == "main");
  CHECK(test::num(r.context, "thread_id") == 48213);
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames.back().line == 7);
  CHECK(test::groupText("start\nthread 'main' (48213) panicked at src/main.rs:7:5:\nexplicit "
                        "panic\nnext\n") == std::vector<size_t>{1, 2, 1});
  // A quote in the thread's name.
  const ErrorRecord quoted = test::analyzeText("thread 'it's' panicked at src/a.rs:1:1:\nboom");
  CHECK(test::contextString(quoted, "thread") == "it's");
  CHECK(findField(quoted.context, "thread_id") == nullptr);
}

TEST_CASE("trace rust: a backtrace without files keeps the panic's location", "[trace][rust]") {
  // A release build without debug information names the functions only.
  const ErrorRecord r = test::analyzeText(
      "thread 'tokio-runtime-worker' panicked at src/cart.rs:15:13:\n"
      "called `Option::unwrap()` on a `None` value\n"
      "stack backtrace:\n"
      "   0: rust_begin_unwind\n"
      "   1: core::option::unwrap_failed\n"
      "   2: shop::cart::Cart::total\n"
      "   3: shop::main\n"
      "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.");
  CHECK(test::contextString(r, "thread") == "tokio-runtime-worker");
  REQUIRE(r.frames.size() == 5);
  CHECK(r.frames.front().class_name == "shop");
  CHECK(r.frames.front().function == "main");
  CHECK(r.frames[1].class_name == "shop::cart::Cart");
  CHECK(r.frames[1].function == "total");
  CHECK_FALSE(r.frames[1].located());
  CHECK(r.frames.back().file == "src/cart.rs");
  CHECK(r.frames.back().line == 15);
  CHECK(r.frames.back().column == 13);
}

TEST_CASE("trace rust: full backtraces, symbol hashes dropped", "[trace][rust]") {
  const ErrorRecord r = test::analyzeText(
      "thread 'main' panicked at src/main.rs:4:5:\n"
      "boom\n"
      "stack backtrace:\n"
      "   0:     0x55d4c8a0b1c2 - std::panicking::begin_panic::h3f1a2b3c4d5e6f70\n"
      "                               at /rustc/abc/library/std/src/panicking.rs:686:12\n"
      "   1:     0x55d4c8a0b3d4 - <shop::Id as core::fmt::Display>::fmt::h0123456789abcdef\n"
      "                               at ./src/id.rs:12:9\n"
      "   2:     0x55d4c8a0b5e6 - shop::main::h00aa11bb22cc33dd\n"
      "                               at ./src/main.rs:4:5");
  REQUIRE(r.frames.size() == 3);
  CHECK(r.frames[0].class_name == "shop");
  CHECK(r.frames[0].function == "main");
  CHECK(r.frames[1].class_name == "<shop::Id as core::fmt::Display>");
  CHECK(r.frames[1].function == "fmt");
  CHECK(r.frames[1].column == 9);
  CHECK(r.frames[2].class_name == "std::panicking");
}

TEST_CASE("trace rust: older form with a backtrace", "[trace][rust]") {
  const ErrorRecord r = test::analyzeText(kBacktrace);
  CHECK(r.message == "boom");
  REQUIRE(r.frames.size() == 3);
  CHECK(r.frames.front().class_name == "app");
  CHECK(r.frames.front().function == "main");
  CHECK(r.frames[1].file == "./src/lib.rs");
  CHECK(r.frames[1].line == 7);
  CHECK(r.frames[1].column == 9);
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
  std::string other_module(kBacktrace);
  other_module.replace(other_module.find("app::parse"), 10, "cli::parse");
  CHECK(test::fingerprintOf(other_module) != a);
  // Without a backtrace: the panic location is the frame.
  std::string elsewhere(kRust);
  elsewhere.replace(elsewhere.find("src/main.rs"), 11, "src/conf.rs");
  CHECK(test::fingerprintOf(elsewhere) != test::fingerprintOf(kRust));
}
