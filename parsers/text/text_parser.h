#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// The fallback for lines no known format claims: a leading timestamp if there is one, a
// level word near the start, and stack traces grouped by their own shape (a bare Python
// traceback, a Java exception with `at` frames). Lines without a level are INFO, unless
// they carry a trace (ERROR). A crash a runtime wrote (see parsers/crash.h) has the crash's
// level: CRITICAL when it ended the process, else ERROR.
std::unique_ptr<Parser> makeTextParser();

}  // namespace homeo
