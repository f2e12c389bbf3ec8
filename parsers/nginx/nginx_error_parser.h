#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// nginx error log:
//   2024/01/02 15:04:05 [error] 1234#0: *5 msg, client: 1.2.3.4, server: x,
//   request: "GET /a HTTP/1.1", upstream: "http://...", host: "x"
// The trailing "key: value" pairs fill request_info (method, path, client_ip, host) and
// context (server, upstream, connection).
std::unique_ptr<Parser> makeNginxErrorParser();

}  // namespace homeo
