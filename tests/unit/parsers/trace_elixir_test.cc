#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kElixir =
    "** (RuntimeError) boom\n"
    "    (app 0.1.0) lib/app.ex:12: App.f/1\n"
    "    (elixir 1.16.1) lib/enum.ex:987: Enum.each/2\n"
    "    (stdlib 5.2) erl_eval.erl:750: :erl_eval.do_apply/7";

}  // namespace

TEST_CASE("trace elixir: exception with frames", "[trace][elixir]") {
  const ErrorRecord r = test::analyzeText(kElixir);
  CHECK(r.language == "elixir");
  CHECK(r.exception_type == "RuntimeError");
  CHECK(r.message == "boom");
  REQUIRE(r.frames.size() == 3);
  CHECK(r.frames.front().class_name == ":erl_eval");
  CHECK(r.frames.front().function == "do_apply/7");
  CHECK(r.frames[1].class_name == "Enum");
  CHECK(r.frames.back().file == "lib/app.ex");
  CHECK(r.frames.back().line == 12);
  CHECK(r.frames.back().class_name == "App");
  CHECK(r.frames.back().function == "f/1");
}

TEST_CASE("trace elixir: anonymous functions belong to their module", "[trace][elixir]") {
  const ErrorRecord r = test::analyzeText(
      "** (KeyError) key :sku not found in: %{qty: 1}\n"
      "    (shop 0.4.0) lib/shop/cart.ex:31: anonymous fn/1 in Shop.Cart.total/1\n"
      "    (elixir 1.16.1) lib/enum.ex:2528: Enum.\"-reduce/3-lists^foldl/2-0-\"/3");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().class_name == "Shop.Cart");
  CHECK(r.frames.back().function == "anonymous fn/1 in total/1");
}

TEST_CASE("trace elixir: grouping in the text format", "[trace][elixir]") {
  CHECK(test::groupText("Compiling\n" + std::string(kElixir) + "\nGenerated app\n") ==
        std::vector<size_t>{1, 4, 1});
}

TEST_CASE("trace elixir: fingerprints", "[trace][elixir]") {
  const std::string a = test::fingerprintOf(kElixir);
  std::string moved(kElixir);
  moved.replace(moved.find("app.ex:12"), 9, "app.ex:19");
  moved.replace(moved.find("1.16.1) lib/enum.ex:987"), 23, "1.17.0) lib/enum.ex:990");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kElixir);
  other.replace(other.find("App.f/1"), 7, "App.g/1");
  CHECK(test::fingerprintOf(other) != a);
  std::string other_module(kElixir);
  other_module.replace(other_module.find("App.f/1"), 7, "Api.f/1");
  CHECK(test::fingerprintOf(other_module) != a);
}

TEST_CASE("fingerprint: messages without frames", "[trace][fingerprint]") {
  ErrorRecord a, b, c;
  a.message = "timeout after 30s talking to 10.0.0.7:5432 for user bob@example.com at /var/db/x";
  b.message = "timeout after 31s talking to 10.0.0.9:5433 for user eve@example.org at /srv/db/y";
  c.message = "disk full on volume data";
  CHECK(computeFingerprint(a) == computeFingerprint(b));
  CHECK(computeFingerprint(a) != computeFingerprint(c));
  CHECK(normalizeMessage("can't open 'a.txt' id=550e8400-e29b-41d4-a716-446655440000 0xdeadbeef") ==
        "can't open '?' id=# #");
  CHECK(normalizeMessage("mail alice@example.com failed") == "mail <email> failed");
}
