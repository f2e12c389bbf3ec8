#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace homeo {

// The five levels of the Homeostasis error record, ordered by severity.
enum class Level : uint8_t { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kCritical = 4 };

std::string_view levelName(Level level);

// Maps a level word from any common dialect (case-insensitive): DEBUG/TRACE/VERBOSE/FINE,
// INFO/NOTICE, WARN/WARNING, ERROR/ERR/SEVERE, CRITICAL/CRIT/FATAL/PANIC/EMERG/ALERT, and
// single letters (levelFromLetter). Returns nullopt for anything else.
std::optional<Level> parseLevel(std::string_view word);

// Level of a one-letter severity (logcat V D I W E F A, klog/glog I W E F, Ruby's Logger
// D I W E F U for UNKNOWN, T for trace, N for notice, C for critical); upper case only.
// nullopt for any other character. The one table of letters: parseLevel uses it too.
std::optional<Level> levelFromLetter(char c);

// Syslog severity 0..7 to a level (0-2 CRITICAL, 3 ERROR, 4 WARNING, 5-6 INFO, 7 DEBUG).
Level levelFromSyslogSeverity(int severity);

// Numeric levels of bunyan/pino (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal).
std::optional<Level> levelFromBunyanNumber(int64_t n);

// Numeric levels of Python logging (`levelno`: 10 DEBUG .. 50 CRITICAL).
std::optional<Level> levelFromPythonNumber(int64_t n);

}  // namespace homeo
