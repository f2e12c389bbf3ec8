#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Go's standard `log` package with its default flags and the usual variations:
//   2024/03/11 19:45:10 http: panic serving 10.0.0.1:5555: runtime error: ...
//   2024/03/11 19:45:10.123456 main.go:23: failed to connect: connection refused
//   myapp: 2024/03/11 19:45:10 /src/app/main.go:23: started
// (LstdFlags, Lmicroseconds, Lshortfile/Llongfile, a log.New prefix before the date). The
// package writes no level: a level token at the start of the message (ERROR, [warn], fatal:)
// counts; else the words panic, error, err, fail, failed, failure make the line ERROR, warn
// and warning WARNING; a line with a stack trace below it (net/http's recovered panic and its
// goroutine dump) is ERROR; anything else is INFO.
std::unique_ptr<Parser> makeGoLogParser();

}  // namespace homeo
