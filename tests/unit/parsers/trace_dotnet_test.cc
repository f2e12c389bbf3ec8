#include "tests/unit/parsers/trace_helpers.h"

using namespace homeo;

namespace {

constexpr std::string_view kDotnet =
    "Unhandled exception. System.InvalidOperationException: Order 4411 cannot be shipped\n"
    " ---> System.Collections.Generic.KeyNotFoundException: The given key 'DE' was not present.\n"
    "   at System.Collections.Generic.Dictionary`2.get_Item(TKey key)\n"
    "   at Shop.Rates.For(String zone) in /src/Shop/Rates.cs:line 27\n"
    "   --- End of inner exception stack trace ---\n"
    "   at Shop.Shipper.Ship(Order order) in /src/Shop/Shipper.cs:line 52\n"
    "   at Shop.Program.Main(String[] args) in /src/Shop/Program.cs:line 18";

}  // namespace

TEST_CASE("trace dotnet: outer exception, inner as root cause", "[trace][dotnet]") {
  const ErrorRecord r = test::analyzeText(kDotnet);
  CHECK(r.language == "csharp");
  CHECK(r.exception_type == "System.InvalidOperationException");
  CHECK(r.message == "Order 4411 cannot be shipped");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.front().class_name == "Shop.Program");
  CHECK(r.frames.front().function == "Main");
  CHECK(r.frames.back().file == "/src/Shop/Shipper.cs");
  CHECK(r.frames.back().line == 52);
  CHECK(r.frames.back().class_name == "Shop.Shipper");
  CHECK(r.frames.back().function == "Ship");
  CHECK(test::contextString(r, "root_cause", "type") ==
        "System.Collections.Generic.KeyNotFoundException");
}

TEST_CASE("trace dotnet: frames without files", "[trace][dotnet]") {
  const ErrorRecord r = test::analyzeText(
      "System.NullReferenceException: Object reference not set to an instance of an object.\n"
      "   at Shop.Cart.Total()\n"
      "   at Shop.Program.Main()");
  CHECK(r.language == "csharp");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().class_name == "Shop.Cart");
  CHECK(r.frames.back().function == "Total");
  CHECK(r.frames.back().file.empty());
  CHECK_FALSE(r.frames.back().located());
}

TEST_CASE("trace dotnet: constructors, async and lambda frames", "[trace][dotnet]") {
  const ErrorRecord r = test::analyzeText(
      "System.ArgumentNullException: Value cannot be null. (Parameter 'sku')\n"
      "   at Shop.Item..ctor(String sku) in /src/Shop/Item.cs:line 9\n"
      "   at Shop.Cart.<>c__DisplayClass3_0.<Add>b__0(Line l) in /src/Shop/Cart.cs:line 40\n"
      "   at Shop.Importer.<RunAsync>d__5.MoveNext() in /src/Shop/Importer.cs:line 77");
  REQUIRE(r.frames.size() == 3);
  CHECK(r.frames[0].class_name == "Shop.Importer");
  CHECK(r.frames[0].function == "<RunAsync>d__5.MoveNext");
  CHECK(r.frames[1].class_name == "Shop.Cart");
  CHECK(r.frames[1].function == "<>c__DisplayClass3_0.<Add>b__0");
  CHECK(r.frames[2].class_name == "Shop.Item");
  CHECK(r.frames[2].function == ".ctor");
  CHECK(r.frames[2].file == "/src/Shop/Item.cs");
  CHECK(r.frames[2].line == 9);
}

TEST_CASE("trace dotnet: grouping in the text format", "[trace][dotnet]") {
  CHECK(test::groupText("info: started\n" + std::string(kDotnet) + "\ninfo: stopped\n") ==
        std::vector<size_t>{1, 7, 1});
}

TEST_CASE("trace dotnet: fingerprints", "[trace][dotnet]") {
  const std::string a = test::fingerprintOf(kDotnet);
  std::string moved(kDotnet);
  moved.replace(moved.find("line 52"), 7, "line 60");
  moved.replace(moved.find("4411"), 4, "9");
  CHECK(test::fingerprintOf(moved) == a);
  std::string other(kDotnet);
  other.replace(other.find("Shipper.Ship("), 13, "Shipper.Send(");
  CHECK(test::fingerprintOf(other) != a);
}
