#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Python `logging` output and the Python servers' default layouts (python_header.h), with
// the tracebacks logger.exception() appends:
//   2023-05-20 14:30:22,123 - app.users - ERROR - Failed to load user
//   [2023-05-20 14:30:22,123] ERROR in app: Exception on /users [GET]    (Flask)
//   2023-05-20 14:30:22,123 ERROR app.users: message
//   ERROR:app.users:message                                               (basicConfig)
//   ERROR 2024-03-11 19:45:10,123 log 1234 140234567890 message           (Django verbose)
//   Internal Server Error: /orders/7                                      (Django default)
//   [2024-03-11 19:45:10,123: ERROR/ForkPoolWorker-2] message             (Celery)
//   ERROR:    Exception in ASGI application                               (uvicorn)
//   [E 240311 19:45:10 web:1798] Uncaught exception GET /x (10.0.0.1)     (Tornado)
// and the request lines these servers write among them (uvicorn, werkzeug, runserver,
// aiohttp.access, Tornado): a 5xx is an ERROR with request_info and response_info, a 4xx a
// WARNING. Celery's task name and id go to context (task_name, task_id, process_name).
std::unique_ptr<Parser> makePythonParser();

}  // namespace homeo
