#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// winston's text layouts (Node.js), as its README sets them up:
//   2024-03-11T19:45:10.123Z error: uncaughtException: Cannot read properties of undefined
//   2024-03-11 19:45:10 [checkout] warn: slow query          (format.label)
//   error: payment refused {"orderId":7}                      (format.simple)
// with its levels (npm: error warn info http verbose debug silly; syslog: emerg alert crit
// error warning notice info debug), colorized or padded (format.cli). The Node.js stack an
// error carries follows on the next lines; the uncaught-exception handler's too.
std::unique_ptr<Parser> makeWinstonParser();

}  // namespace homeo
