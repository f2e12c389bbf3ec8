#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// HTTP access logs. A 5xx response becomes an ERROR record, a 4xx a WARNING, anything else
// INFO (so the usual min_level ERROR drops it after reading the status). The record has
// request_info (method, path, client_ip, user_agent, referer) and response_info
// (status_code, size_bytes); its message reads "GET /path -> 502". Layouts:
//   1.2.3.4 - user [02/Jan/2024:15:04:05 +0000] "GET /a HTTP/1.1" 502 157 "ref" "UA"
//                                          (nginx/Apache combined and common, gunicorn)
//   [02/Jan/2024 15:04:05] "GET /x HTTP/1.1" 500 1234                (Django runserver)
//   INFO:     1.2.3.4:5678 - "GET /x HTTP/1.1" 500 Internal Server Error    (uvicorn)
//   GET /x 500 12.345 ms - 123                                       (Express morgan dev)
std::unique_ptr<Parser> makeAccessLogParser();

}  // namespace homeo
