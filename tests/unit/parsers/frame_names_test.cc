#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "parsers/trace/frame_names.h"

using namespace homeo;

namespace {

using Setter = void (*)(std::string_view, Frame&);

// {class, function} of `name` as `set` splits it.
std::pair<std::string, std::string> split(Setter set, std::string_view name) {
  Frame f;
  f.class_name = "stale";
  set(name, f);
  return {f.class_name, f.function};
}

using P = std::pair<std::string, std::string>;

}  // namespace

TEST_CASE("frame names: jvm", "[trace][frames]") {
  CHECK(split(frames::setJvmName, "com.shop.Orders.place") == P{"com.shop.Orders", "place"});
  CHECK(split(frames::setJvmName, "java.base/java.lang.Thread.run") ==
        P{"java.lang.Thread", "run"});
  CHECK(split(frames::setJvmName, "app//com.shop.Calc$.div") == P{"com.shop.Calc$", "div"});
  CHECK(split(frames::setJvmName, "com.foo.loader/foo@9.0/com.foo.Main.main") ==
        P{"com.foo.Main", "main"});
  CHECK(split(frames::setJvmName, "com.shop.Cart$$Lambda/0x000071c4a8003a00.accept") ==
        P{"com.shop.Cart$$Lambda/0x000071c4a8003a00", "accept"});
  CHECK(split(frames::setJvmName, "com.shop.Cart.<init>") == P{"com.shop.Cart", "<init>"});
  CHECK(split(frames::setJvmName, "main") == P{"", "main"});
}

TEST_CASE("frame names: dotnet", "[trace][frames]") {
  CHECK(split(frames::setDotnetName, "Shop.Rates.For") == P{"Shop.Rates", "For"});
  CHECK(split(frames::setDotnetName, "System.Collections.Generic.Dictionary`2.get_Item") ==
        P{"System.Collections.Generic.Dictionary`2", "get_Item"});
  CHECK(split(frames::setDotnetName, "Shop.Cart..ctor") == P{"Shop.Cart", ".ctor"});
  CHECK(split(frames::setDotnetName, "Shop.Cart..cctor") == P{"Shop.Cart", ".cctor"});
  CHECK(split(frames::setDotnetName, "Shop.Svc.<RunAsync>d__4.MoveNext") ==
        P{"Shop.Svc", "<RunAsync>d__4.MoveNext"});
  CHECK(split(frames::setDotnetName, "Shop.Svc.<>c__DisplayClass5_0.<Load>b__0") ==
        P{"Shop.Svc", "<>c__DisplayClass5_0.<Load>b__0"});
  CHECK(split(frames::setDotnetName, "Shop.Mapper.Map[TIn,TOut]") ==
        P{"Shop.Mapper", "Map[TIn,TOut]"});
  CHECK(split(frames::setDotnetName, "Main") == P{"", "Main"});
}

TEST_CASE("frame names: go", "[trace][frames]") {
  CHECK(split(frames::setGoName, "main.main") == P{"main", "main"});
  CHECK(split(frames::setGoName, "main.(*Queue).Pop") == P{"main.(*Queue)", "Pop"});
  CHECK(split(frames::setGoName, "github.com/acme/shop/cart.(*Cart).Add.func1") ==
        P{"github.com/acme/shop/cart.(*Cart)", "Add.func1"});
  CHECK(split(frames::setGoName, "net/http.HandlerFunc.ServeHTTP") ==
        P{"net/http", "HandlerFunc.ServeHTTP"});
  CHECK(split(frames::setGoName, "gopkg.in/yaml%2ev3.(*parser).parse") ==
        P{"gopkg.in/yaml%2ev3.(*parser)", "parse"});
  CHECK(split(frames::setGoName, "runtime.gopanic") == P{"runtime", "gopanic"});
  CHECK(split(frames::setGoName, "panic") == P{"", "panic"});
}

TEST_CASE("frame names: rust", "[trace][frames]") {
  CHECK(split(frames::setRustName, "shop::cart::Cart::total") == P{"shop::cart::Cart", "total"});
  CHECK(split(frames::setRustName, "<shop::Id as core::fmt::Display>::fmt") ==
        P{"<shop::Id as core::fmt::Display>", "fmt"});
  CHECK(split(frames::setRustName, "shop::main::{{closure}}") == P{"shop::main", "{{closure}}"});
  CHECK(split(frames::setRustName, "shop::main::h1a2b3c4d5e6f7a8b") == P{"shop", "main"});
  CHECK(split(frames::setRustName, "<fn() -> u8 as shop::Task>::run") ==
        P{"<fn() -> u8 as shop::Task>", "run"});
  CHECK(split(frames::setRustName, "rust_begin_unwind") == P{"", "rust_begin_unwind"});
}

TEST_CASE("frame names: ruby", "[trace][frames]") {
  CHECK(split(frames::setRubyName, "Cart#total") == P{"Cart", "total"});
  CHECK(split(frames::setRubyName, "Shop::Cart.build") == P{"Shop::Cart", "build"});
  CHECK(split(frames::setRubyName, "block in Cart#lines") == P{"Cart", "block in lines"});
  CHECK(split(frames::setRubyName, "block (2 levels) in Shop::Cart#each") ==
        P{"Shop::Cart", "block (2 levels) in each"});
  CHECK(split(frames::setRubyName, "Integer#/") == P{"Integer", "/"});
  CHECK(split(frames::setRubyName, "<main>") == P{"", "<main>"});
  CHECK(split(frames::setRubyName, "block in total") == P{"", "block in total"});
  CHECK(split(frames::setRubyName, "#<Class:0x000071c4>#call") ==
        P{"", "#<Class:0x000071c4>#call"});
}

TEST_CASE("frame names: php", "[trace][frames]") {
  CHECK(split(frames::setPhpName, "App\\Svc->charge") == P{"App\\Svc", "charge"});
  CHECK(split(frames::setPhpName, "App\\Price::format") == P{"App\\Price", "format"});
  CHECK(split(frames::setPhpName, "App\\helper") == P{"", "App\\helper"});
  CHECK(split(frames::setPhpName, "{main}") == P{"", "{main}"});
  CHECK(split(frames::setPhpName, "{closure:App\\Svc::run():12}") ==
        P{"", "{closure:App\\Svc::run():12}"});
}

TEST_CASE("frame names: elixir", "[trace][frames]") {
  CHECK(split(frames::setElixirName, "App.Orders.place/1") == P{"App.Orders", "place/1"});
  CHECK(split(frames::setElixirName, ":gen_server.call/3") == P{":gen_server", "call/3"});
  CHECK(split(frames::setElixirName, "anonymous fn/1 in App.Worker.run/2") ==
        P{"App.Worker", "anonymous fn/1 in run/2"});
  CHECK(split(frames::setElixirName, "App.valid?/1") == P{"App", "valid?/1"});
  CHECK(split(frames::setElixirName, "main/0") == P{"", "main/0"});
}
