#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// uWSGI request log (its default log-format):
//   [pid: 4242|app: 0|req: 1/7] 10.0.0.5 () {38 vars in 696 bytes} [Tue Jan  2 15:04:05 2024]
//   POST /api/pay => generated 47 bytes in 129 msecs (HTTP/1.1 502) 9 headers in 378 bytes ...
// Like the access logs: 5xx is ERROR, 4xx WARNING, the rest INFO; request_info (method,
// path, client_ip, protocol, duration_ms, remote user) and response_info (status_code,
// size_bytes). uWSGI's own lines between them (start-up, "*** ... ***") are text.
std::unique_ptr<Parser> makeUwsgiParser();

}  // namespace homeo
