#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Rust's tracing-subscriber fmt layer with its default (full) and compact formats, coloured or
// not: RFC 3339 time, the level padded to five (TRACE DEBUG  INFO  WARN ERROR), the spans, the
// target, the message and the fields.
//   2024-03-11T19:45:10.123456Z ERROR shop::db: query failed error="connection reset"
//   2024-03-11T19:45:10.223456Z  WARN request{method=GET uri=/cart}: shop::http: slow ms=812
// The target is the module, the spans go to context.spans, the fields to context.
std::unique_ptr<Parser> makeTracingParser();

}  // namespace homeo
