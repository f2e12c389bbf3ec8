#pragma once

// How each language's stack traces name a frame's code, split the way Homeostasis' language
// adapters describe a frame: Frame::class_name holds the class, module, type or package the
// function belongs to, Frame::function the function alone. A name that names no owner stays
// whole in `function` and leaves `class_name` empty.

#include <string_view>

#include "common/record.h"

namespace homeo::frames {

// Java, Kotlin, Scala: "com.shop.Orders.place" -> class "com.shop.Orders", function "place";
// inner and synthetic classes keep their "$" ("com.shop.Calc$.div" -> "com.shop.Calc$").
// Class-loader and module prefixes ("app//", "java.base/") are dropped.
void setJvmName(std::string_view name, Frame& f);

// .NET: "Shop.Rates.For" -> "Shop.Rates" / "For"; constructors "Shop.Cart..ctor" -> ".ctor";
// compiler-generated members ("Shop.Svc.<Run>d__4.MoveNext", "Shop.Svc.<>c.<Main>b__0_0")
// belong to the class before the first segment that opens with '<'.
void setDotnetName(std::string_view name, Frame& f);

// Go: the package path, with the receiver type when Go writes it in parentheses, is the class:
// "github.com/acme/cart.(*Cart).Add.func1" -> "github.com/acme/cart.(*Cart)" / "Add.func1",
// "main.main" -> "main" / "main", "net/http.HandlerFunc.ServeHTTP" -> "net/http" /
// "HandlerFunc.ServeHTTP". Builtins ("panic") have no package.
void setGoName(std::string_view name, Frame& f);

// Rust: the path before the last "::" (outside <...>) is the class: "shop::cart::Cart::total"
// -> "shop::cart::Cart" / "total", "<shop::Id as core::fmt::Display>::fmt" -> "<shop::Id as
// core::fmt::Display>" / "fmt". The symbol hash of full backtraces ("::h0123456789abcdef") is
// dropped.
void setRustName(std::string_view name, Frame& f);

// Ruby 3.4 labels: "Cart#total" -> "Cart" / "total", "Foo::Bar.build" -> "Foo::Bar" /
// "build", "block in Cart#lines" -> "Cart" / "block in lines". Older Ruby names the method
// alone ("total"), as do "<main>" and "<class:Cart>".
void setRubyName(std::string_view name, Frame& f);

// PHP calls: "App\Svc->charge" and "App\Price::format" -> "App\Svc" / "charge", "App\Price"
// / "format"; functions ("App\helper", "{main}", "{closure}") have no class.
void setPhpName(std::string_view name, Frame& f);

// Elixir and Erlang: "App.Orders.place/1" -> "App.Orders" / "place/1", ":gen_server.call/3"
// -> ":gen_server" / "call/3", "anonymous fn/1 in App.Worker.run/2" -> "App.Worker" /
// "anonymous fn/1 in run/2". Functions keep their arity, as Elixir names them.
void setElixirName(std::string_view name, Frame& f);

}  // namespace homeo::frames
