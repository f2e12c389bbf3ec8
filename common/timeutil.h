#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace homeo {

// Nanoseconds since the Unix epoch, UTC.
using UnixNanos = int64_t;

UnixNanos nowNanos();

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);

struct CivilTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t nanos = 0;
  // Offset from UTC in seconds when the text named one; nullopt means "no zone written",
  // which is then read in the host's zone (the TZ environment, set from the config).
  std::optional<int32_t> utc_offset;
};

// Makes `zone` (an IANA name, or "UTC") the local zone that times written without one are
// read in, for every thread; empty gives back the zone the process started with. Not to be
// called while another thread converts times with the C library's local-time functions
// (the daemon calls it at start and on reload, from the event loop).
void setLocalZone(std::string_view zone);

// Converts a civil time to Unix nanoseconds; a time without a zone is taken as local time.
// Years an int64 of nanoseconds cannot hold (before 1678, after 2261) give 0, "unknown".
UnixNanos toUnixNanos(const CivilTime& t);

// RFC 3339 in UTC: 2023-05-20T14:30:22Z, with .mmm or .uuuuuu when not whole (finer digits
// are dropped).
std::string formatRfc3339(UnixNanos ns);
void appendRfc3339(std::string& out, UnixNanos ns);

// Parses the timestamp at the start of s. Understands ISO 8601 / RFC 3339 (T or space, '.'
// or ',' fractions, Z or +hh:mm / +hhmm), and "Mmm dd hh:mm:ss" (syslog; the year is the
// current one). On success returns the time and sets *consumed to the bytes used.
std::optional<CivilTime> parseTimestampPrefix(std::string_view s, size_t* consumed = nullptr);

// Parses a whole timestamp string: the forms above, or epoch seconds / milliseconds /
// microseconds / nanoseconds written as a number (told apart by magnitude).
// Numbers written as text are read exactly (to the nanosecond).
std::optional<UnixNanos> parseTimestamp(std::string_view s);
// An epoch number in s, ms, us or ns (told apart by magnitude, as above); nullopt for zero,
// negative and past-2261 values. The double form rounds to the microsecond (a double's error
// on a millisecond time is some 100 ns); integers convert exactly.
std::optional<UnixNanos> epochToNanos(double value);
std::optional<UnixNanos> epochIntegerToNanos(int64_t value);

// The current year in local time: for formats that write none (syslog, glog, logcat).
int currentYear();

// Month number (1..12) of an English three-letter abbreviation, or 0.
int monthFromAbbrev(std::string_view s);

}  // namespace homeo
