#pragma once

#include <cstdint>
#include <string>

#include "daemon/tap/tap_filter.h"

namespace homeo {

// `homeostasisd tap`: connects to a running daemon's tap socket, asks for the records
// `filter` takes and prints them on stdout, one JSON object per line, until interrupted or,
// with `max_records` > 0, until that many were printed. The daemon's notices go to stderr.
// A daemon that closes the tap (a reload, a restart) is waited for, up to `reconnect_ms`.
// Returns an exit status.
int runTap(const std::string& socket_path, const TapFilter& filter, uint64_t max_records,
           int reconnect_ms = 10000);

}  // namespace homeo
