#pragma once

#include <string>
#include <string_view>

#include "common/timeutil.h"

namespace homeo {

// What Python's datetime.isoformat() writes for a naive local datetime, as Homeostasis' own
// logger stamps its records: 2023-05-20T16:30:22, or 2023-05-20T16:30:22.123000 when the time
// is not a whole second (microseconds; finer digits are dropped). In the process's local zone:
// TZ, which the daemon sets from the config's `timezone` (default: the host's zone).
void appendNaiveLocalIso(std::string& out, UnixNanos ns);

// Appends `record` (a serialized record, whose first key is `timestamp` in RFC 3339) to `out`
// as the line Homeostasis' orchestrator reads: `timestamp` in naive local time, followed by
// `timestamp_utc` holding the zoned time in UTC (2023-05-20T14:30:22.123Z), and the rest of the
// record as it was. A line written so before (its second key `timestamp_utc`) is rewritten from
// that UTC time, so that a change of zone applies to it. No newline is added. Returns false,
// leaving `out` as it was, when `record` does not start with a timestamp it can read.
bool appendHomeostasisLine(std::string_view record, std::string& out);

}  // namespace homeo
