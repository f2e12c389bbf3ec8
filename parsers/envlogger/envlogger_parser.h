#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Rust's env_logger with its default format, "[{timestamp} {level:<5} {module_path}] {args}":
//   [2024-03-11T19:45:10Z ERROR shop::db] query failed: connection reset
// (timestamps in seconds by default, finer with format_timestamp_millis and the like; the
// target is left out when it is empty). The module path is the record's module.
std::unique_ptr<Parser> makeEnvLoggerParser();

}  // namespace homeo
