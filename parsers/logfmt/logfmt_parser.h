#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// logfmt lines (Go kit, logrus' text formatter, Heroku):
//   time="2024-01-01T10:00:00Z" level=error msg="db down" caller=db.go:42 err="timeout" user=7
// level/lvl/severity give the level, msg/message the message, ts/time/timestamp the time,
// caller/logger/module/component the module; every other key goes to context. A line without
// a level is INFO unless it carries an error/err key (then ERROR).
std::unique_ptr<Parser> makeLogfmtParser();

}  // namespace homeo
