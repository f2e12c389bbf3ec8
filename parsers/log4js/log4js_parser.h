#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Node.js log4js with its default layouts: basic ("[%d] [%p] %c - ", file appenders) and
// coloured (the same with terminal colours, the stdout appender):
//   [2024-03-11T19:45:10.123] [ERROR] checkout - payment refused
//   Error: card declined
//       at pay (/srv/app/pay.js:8:11)
// Levels TRACE DEBUG INFO WARN ERROR FATAL MARK; the category is the module; the time is local
// unless it names a zone; an error logged with the line is its stack on the lines below.
std::unique_ptr<Parser> makeLog4jsParser();

}  // namespace homeo
