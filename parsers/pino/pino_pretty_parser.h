#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Node.js pino's lines as pino-pretty prints them (`node app.js | pino-pretty`, the transport),
// coloured or not, and the bunyan CLI's output, the layout pino-pretty took over:
//   [19:45:10.123] ERROR (1234): payment refused
//       err: {
//         "type": "Error",
//         "message": "card declined",
//         "stack":
//             Error: card declined
//                 at pay (/srv/app/pay.js:8:11)
//       }
//   [2024-03-11T19:45:10.123Z] ERROR: shop/1234 on web01: payment refused (order=7)
// The time of day (pino-pretty 9 and later, dated today), epoch milliseconds (before 9) or a
// full time; TRACE DEBUG INFO WARN ERROR FATAL; the logger's name is the module, pid and
// hostname go to context; the error's stack below becomes the record's exception.
std::unique_ptr<Parser> makePinoPrettyParser();

}  // namespace homeo
