#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Lines that consistently start with a timestamp and carry a level word soon after it, in
// any of the usual layouts:
//   2024-01-01 10:00:00 [ERROR] msg            2024-01-01T10:00:00Z ERROR module: msg
//   [2024-01-02 15:04:05 +0000] [1234] [ERROR] msg   (gunicorn)
//   081109 203615 148 WARN dfs.DataNode: msg    17/06/09 20:10:40 ERROR spark.X: msg
//   2024-01-01T10:00:00.000Z<TAB>ERROR<TAB>pkg/file.go:12<TAB>msg<TAB>{...}   (zap console)
//   E, [2024-01-02T15:04:05.123456 #1234] ERROR -- : msg                      (Ruby/Rails)
//   [Nest] 1234  - 03/11/2024, 7:45:10 PM   ERROR [ExceptionsHandler] msg       (NestJS)
//   - 1117838570 2005.06.03 R02-M1-N0 2005-06-03-15.42.50.675872 R02-M1-N0 RAS KERNEL FATAL m
// Rails' "Completed 500 ..." lines become ERROR records with response_info.
std::unique_ptr<Parser> makeGenericParser();

}  // namespace homeo
