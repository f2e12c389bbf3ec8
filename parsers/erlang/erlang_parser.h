#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Erlang/OTP's reports as the default logger handler writes them (legacy header, and the old
// error_logger's before OTP 21):
//   =ERROR REPORT==== 11-Mar-2024::19:45:10.123456 ===
//   Error in process <0.85.0> on node shop@web01 with exit value:
//   {badarith,[{shop_cart,total,1,[{file,"src/shop_cart.erl"},{line,12}]}]}
// ERROR, CRASH and SUPERVISOR reports are ERROR, WARNING WARNING, INFO, PROGRESS and NOTICE
// INFO, CRITICAL, ALERT and EMERGENCY CRITICAL; the report's lines are the message.
std::unique_ptr<Parser> makeErlangParser();

}  // namespace homeo
