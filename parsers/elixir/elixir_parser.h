#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Elixir's Logger with its default console format, "\n$time $metadata[$level] $message\n"
// (older releases pad the level: "[info]  msg"), and with "$date " before the time:
//   19:45:10.123 request_id=F7mQ2x8a9b [error] GenServer Shop.Cart terminating
//   ** (RuntimeError) stock unknown
//       (shop 0.1.0) lib/shop/cart.ex:12: Shop.Cart.handle_call/3
// Levels debug info notice warning (warn) error critical alert emergency; the metadata go to
// context, Plug's request_id to request_info. The time of day alone is dated today.
std::unique_ptr<Parser> makeElixirParser();

}  // namespace homeo
