#include <catch2/catch.hpp>

#include "common/timeutil.h"

using namespace homeo;

// Found by fuzz/ (json): 17042078453 (seconds, by its magnitude) is past 2262, so its
// nanoseconds overflow an int64; the conversion was undefined (INT64_MIN on x86).
TEST_CASE("time: epoch numbers past the int64 nanosecond range are unknown", "[time]") {
  CHECK_FALSE(epochToNanos(17042078453.0).has_value());     // seconds
  CHECK_FALSE(epochToNanos(99999999999999.0).has_value());  // milliseconds
  CHECK_FALSE(epochToNanos(9.9e16).has_value());            // microseconds
  CHECK_FALSE(epochToNanos(9.5e18).has_value());            // nanoseconds
  CHECK_FALSE(parseTimestamp("17042078453").has_value());
  // Times up to 2261 still convert, in every unit.
  CHECK(epochToNanos(9000000000.0).value_or(0) == 9000000000000000000LL);
  CHECK(epochToNanos(9000000000000.0).value_or(0) == 9000000000000000000LL);
  CHECK(epochToNanos(1704207845000000.0).value_or(0) == 1704207845000000000LL);
  CHECK(epochToNanos(9.1e18).value_or(0) == 9100000000000000000LL);
}

// A reload that changes `timezone` must read the very next zoneless time in the new zone, also
// within the hour whose offset a thread has cached.
TEST_CASE("time: a new local zone applies to the hour already cached", "[time]") {
  CivilTime t;
  t.year = 2024;
  t.month = 3;
  t.day = 11;
  t.hour = 19;
  t.minute = 45;
  setLocalZone("UTC");
  const UnixNanos utc = toUnixNanos(t);
  CHECK(formatRfc3339(utc) == "2024-03-11T19:45:00Z");
  CHECK(toUnixNanos(t) == utc);  // now cached
  setLocalZone("Asia/Tokyo");
  CHECK(formatRfc3339(toUnixNanos(t)) == "2024-03-11T10:45:00Z");
  setLocalZone("UTC");
  CHECK(toUnixNanos(t) == utc);
  // Empty: the zone the process started with.
  setLocalZone("");
}

// pino writes epoch milliseconds as an integer, journald microseconds as a string, and Go's
// zap or Python's time.time() seconds with nanosecond or microsecond digits: integers and
// numbers written as text convert exactly, to the nanosecond.
TEST_CASE("time: integer and textual epoch times are exact", "[time]") {
  CHECK(epochIntegerToNanos(1709374272).value_or(0) == 1709374272000000000LL);
  CHECK(epochIntegerToNanos(1709374272123).value_or(0) == 1709374272123000000LL);
  CHECK(epochIntegerToNanos(1709374272123456).value_or(0) == 1709374272123456000LL);
  CHECK(epochIntegerToNanos(1709374272123456789).value_or(0) == 1709374272123456789LL);
  CHECK_FALSE(epochIntegerToNanos(0).has_value());
  CHECK_FALSE(epochIntegerToNanos(-5).has_value());
  CHECK_FALSE(epochIntegerToNanos(17042078453).has_value());  // seconds past 2261
  CHECK_FALSE(epochIntegerToNanos(9'200'000'000'000'000'000LL).has_value());

  CHECK(parseTimestamp("1709374272.123456789").value_or(0) == 1709374272123456789LL);
  CHECK(parseTimestamp("1709374272.5").value_or(0) == 1709374272500000000LL);
  CHECK(parseTimestamp("1709374272123.456").value_or(0) == 1709374272123456000LL);
  CHECK(parseTimestamp("1709374272123456").value_or(0) == 1709374272123456000LL);
  // Digits finer than a nanosecond are dropped, not rounded into the next one.
  CHECK(parseTimestamp("1709374272.1234567899").value_or(0) == 1709374272123456789LL);
  CHECK(parseTimestamp("1709374272.").value_or(0) == 1709374272000000000LL);
  CHECK_FALSE(parseTimestamp("1709374272.1.2").has_value());
  CHECK_FALSE(parseTimestamp(".5").has_value());
  CHECK_FALSE(parseTimestamp("0").has_value());
  CHECK_FALSE(parseTimestamp("12345678901234567890").has_value());  // 20 digits
  CHECK_FALSE(parseTimestamp("9300000000000000000").has_value());   // ns past 2261
}
