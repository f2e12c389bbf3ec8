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
