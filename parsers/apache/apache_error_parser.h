#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Apache httpd error log, 2.4 and 2.2 layouts:
//   [Tue Jan 02 15:04:05.123456 2024] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] msg
//   [Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] msg
// Levels emerg alert crit error warn notice info debug trace1..8; the module goes to
// metadata.module, the client to request_info.client_ip.
std::unique_ptr<Parser> makeApacheErrorParser();

}  // namespace homeo
