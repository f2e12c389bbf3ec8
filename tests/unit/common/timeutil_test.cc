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
