#pragma once

#include <optional>
#include <string_view>

#include "common/level.h"
#include "common/timeutil.h"
#include "parsers/python/server_messages.h"

namespace homeo {

// The header layouts Python's logging module and the Python servers write by default.
enum class PyLayout {
  kLogging,         // 2023-05-20 14:30:22,123 - app.users - ERROR - msg   (and "- LEVEL - msg")
  kLevelAfterTime,  // 2023-05-20 14:30:22,123 ERROR app.users: msg
  kFlask,           // [2023-05-20 14:30:22,123] ERROR in app: msg
  kBasicConfig,     // ERROR:app.users:msg
  kLevelFirst,      // ERROR 2024-03-11 19:45:10,123 log 1234 140234567890 msg   (Django verbose)
  kCelery,          // [2024-03-11 19:45:10,123: ERROR/ForkPoolWorker-2] msg
  kUvicorn,         // ERROR:    msg   (the level and its colon padded to 9 columns)
  kTornado,         // [E 240311 19:45:10 web:1798] msg
  kWerkzeug,        // 127.0.0.1 - - [11/Mar/2024 19:45:10] "GET / HTTP/1.1" 500 -
  kDjangoServer,    // [11/Mar/2024 19:45:10] "GET / HTTP/1.1" 500 145   (runserver)
  kDjangoRequest,   // Internal Server Error: /orders/7   (Django's default: the message alone)
};

// One header line, as views into it.
struct PyHeader {
  PyLayout layout = PyLayout::kLogging;
  std::optional<CivilTime> time;
  Level level = Level::kInfo;
  std::string_view module;
  std::string_view message;
  std::string_view process;  // Celery's process name ("ForkPoolWorker-2", "MainProcess")
  // A request line an access logger wrote (uvicorn, aiohttp, werkzeug, runserver), whose
  // status gives the level (a 5xx is an ERROR); see readAccessLogger.
  std::optional<RequestSummary> request;
  int confidence = 0;
};

// Reads a header line in any of the layouts above. Cheap when the line is none of them.
bool parsePythonHeader(std::string_view line, PyHeader& h);

// When the header's logger writes request lines (uvicorn.access, aiohttp.access,
// gunicorn.access, runserver's django.server, werkzeug), reads the one its message holds into
// h.request and raises h.level by the status. Left to the parser, which needs the level;
// detection and event assembly do not.
void readAccessLogger(PyHeader& h);

}  // namespace homeo
