#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Python `logging` output, with the tracebacks logger.exception() appends:
//   2023-05-20 14:30:22,123 - app.users - ERROR - Failed to load user
//   [2023-05-20 14:30:22,123] ERROR in app: Exception on /users [GET]    (Flask)
//   2023-05-20 14:30:22,123 ERROR app.users: message
//   ERROR:app.users:message                                               (basicConfig)
std::unique_ptr<Parser> makePythonParser();

}  // namespace homeo
