#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// W3C extended log files (IIS, and other servers that write them):
//   #Software: Microsoft Internet Information Services 10.0
//   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip ...
//   2024-01-02 15:04:05 10.0.0.1 GET /api/pay id=7 443 - 10.0.0.9 Mozilla/5.0 - 500 0 0 31
// Parsers keep no state between lines, so a line is read without its #Fields: it is a
// request line when it has a date and time and an HTTP method followed by a path. The status
// is the first of the run of numbers ending the line (IIS: sc-status sc-substatus
// sc-win32-status time-taken), else the first three-digit number after the path. Like the
// access logs: 5xx is ERROR, 4xx WARNING, the rest INFO, with request_info and response_info.
// The # directive lines are recognised (they make detection sure) and read as DEBUG.
std::unique_ptr<Parser> makeW3cParser();

}  // namespace homeo
