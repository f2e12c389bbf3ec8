#pragma once

#include <optional>
#include <string_view>

#include "common/level.h"
#include "common/timeutil.h"

namespace homeo {

// Pieces every "timestamp + level" text header has, found by hand-written scanning (no
// regex on the hot path). Views into the line.
struct TextHeader {
  std::optional<CivilTime> time;
  std::optional<Level> level;
  std::string_view module;
  std::string_view message;  // the rest of the line after the header
};

// Finds a level word near the start of free text: a token such as ERROR, [error], <err>,
// "error:", level=error, E/W/I single letters are not taken (too ambiguous). Looks at the
// first `window` bytes only. Returns the level and sets *end to the offset after the token.
std::optional<Level> findLevelToken(std::string_view s, size_t window = 96, size_t* end = nullptr);

}  // namespace homeo

namespace homeo {

struct LogEvent;
struct ErrorRecord;

// Fills what every line-oriented text format gives (level, time, module, message) and reads
// the event's continuation lines as a stack trace. When a trace names an exception, the
// record is about it and the logged sentence is kept as context.log_message.
void fillTextRecord(const LogEvent& ev, Level level, const std::optional<CivilTime>& time,
                    std::string_view module, std::string_view message, ErrorRecord& out);

// Reads exactly `n` decimal digits at s[pos..]; false if any is missing.
bool readDigits(std::string_view s, size_t pos, size_t n, int* out);

// "19:45:10", with an optional ".123" / ",123456" fraction, at the start of s: the layouts that
// write the time of day only (log4j2's and logback's defaults, Serilog's console, Elixir's
// Logger). The date is left unset (year 0): after the level check the parser calls
// dateToday(), so that a line below the level costs no clock reading. Sets *used.
std::optional<CivilTime> parseTimeOfDay(std::string_view s, size_t* used);

// "11-Mar-2024" (PHP's error_log, Erlang's reports, Tomcat) at the start of s: sets the date
// of t (nothing else) and *used. English month abbreviations.
bool parseDayMonthYear(std::string_view s, CivilTime& t, size_t* used);

// The level of a message its logger wrote without one (Go's log package, PHP's error_log()):
// a level token near its start (ERROR, [warn], fatal:) counts; else the words panic, error,
// err, fail(ed), failure, fatal make it ERROR and warn/warning WARNING; else INFO.
Level levelFromWords(std::string_view message);

// Gives a time of day the date it most likely has: today's in local time, or yesterday's
// when that would put it more than a minute in the future (a line written before midnight,
// read after it).
void dateToday(CivilTime& t);

}  // namespace homeo
