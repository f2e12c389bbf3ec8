#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Python's loguru with its default format, "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} |
// {name}:{function}:{line} - {message}", and the traceback logger.exception() writes below it
// (backtrace and diagnose on, loguru's defaults: blank lines between frames, the frame where it
// was caught marked "> File", the values of variables under "└" and "│" lines):
//   2024-03-11 19:45:10.123 | ERROR    | shop.cart:total:12 - total failed
//   Traceback (most recent call last):
//
//   > File "/app/shop/cart.py", line 12, in total
//       return sum(prices) / n
//                            └ 0
//
//   ZeroDivisionError: division by zero
// Levels TRACE DEBUG INFO SUCCESS WARNING ERROR CRITICAL; {name} is the module, {function} and
// {line} go to context.
std::unique_ptr<Parser> makeLoguruParser();

}  // namespace homeo
