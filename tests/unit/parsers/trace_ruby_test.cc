#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kRuby =
    "app.rb:12:in 'Cart#total': undefined method 'price' for nil (NoMethodError)\n"
    "\tfrom app.rb:20:in 'block in Cart#lines'\n"
    "\tfrom /usr/lib/ruby/3.4.0/set.rb:511:in 'Set#each'\n"
    "\tfrom app.rb:3:in '<main>'";

}  // namespace

TEST_CASE("trace ruby: uncaught exception", "[trace][ruby]") {
  const ErrorRecord r = test::analyzeText(kRuby);
  CHECK(r.language == "ruby");
  CHECK(r.exception_type == "NoMethodError");
  CHECK(r.message == "undefined method 'price' for nil");
  REQUIRE(r.frames.size() == 4);
  CHECK(r.frames.front().function == "<main>");
  CHECK(r.frames.front().class_name.empty());
  CHECK(r.frames[1].class_name == "Set");
  CHECK(r.frames[1].function == "each");
  CHECK(r.frames[2].class_name == "Cart");
  CHECK(r.frames[2].function == "block in lines");
  CHECK(r.frames.back().file == "app.rb");
  CHECK(r.frames.back().line == 12);
  CHECK(r.frames.back().class_name == "Cart");
  CHECK(r.frames.back().function == "total");
  // Before Ruby 3.4 a frame names the method alone.
  const ErrorRecord old =
      test::analyzeText("x.rb:1:in `f': boom (Foo::BarError)\n\tfrom x.rb:2:in `<main>'");
  CHECK(old.exception_type == "Foo::BarError");
  CHECK(old.frames.back().function == "f");
  CHECK(old.frames.back().class_name.empty());
}

TEST_CASE("trace ruby: singleton methods and modules", "[trace][ruby]") {
  const ErrorRecord r = test::analyzeText(
      "/srv/shop/lib/shop/pricing.rb:8:in 'Shop::Pricing.quote': no rate for DE (KeyError)\n"
      "\tfrom /srv/shop/app.rb:5:in '<main>'");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().class_name == "Shop::Pricing");
  CHECK(r.frames.back().function == "quote");
}

TEST_CASE("trace ruby: grouping in the text format", "[trace][ruby]") {
  CHECK(test::groupText("boot\n" + std::string(kRuby) + "\nexit\n") ==
        std::vector<size_t>{1, 4, 1});
}

TEST_CASE("trace ruby: fingerprints", "[trace][ruby]") {
  const std::string a = test::fingerprintOf(kRuby);
  std::string moved(kRuby);
  moved.replace(moved.find("app.rb:12"), 9, "app.rb:14");
  moved.replace(moved.find("3.4.0/set.rb:511"), 16, "3.4.1/set.rb:515");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kRuby);
  other.replace(other.find("(NoMethodError)"), 15, "(TypeError)");
  CHECK(test::fingerprintOf(other) != a);
}
