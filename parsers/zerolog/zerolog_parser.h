#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Go's zerolog through its ConsoleWriter (zerolog.ConsoleWriter{Out: os.Stderr}), coloured or
// not: the time (time.Kitchen by default, "7:45PM", dated today; RFC 3339 and other full times
// too), the three-letter level (TRC DBG INF WRN ERR FTL PNC), the caller before " >", the
// message and the fields.
//   7:45PM ERR main.go:42 > payment refused error="card declined" order=7
// The caller is the module, the fields go to context (an empty message takes the error
// field's).
std::unique_ptr<Parser> makeZerologParser();

}  // namespace homeo
