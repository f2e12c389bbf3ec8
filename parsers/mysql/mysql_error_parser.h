#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// MySQL and MariaDB error log (log_error), in the layouts of 5.5 to 8.x:
//   2024-01-02T15:04:05.123456Z 12 [ERROR] [MY-010055] [Server] Unknown database 'x'
//   2024-01-02T15:04:05.123456Z 0 [Warning] TIMESTAMP with implicit DEFAULT value...
//   2024-01-02 15:04:05 140234 [Note] InnoDB: Buffer pool(s) load completed
//   240102 15:04:05 [ERROR] mysqld: Table './app/logs' is marked as crashed
// [ERROR] is ERROR, [Warning] WARNING, [Note] and [System] INFO. The thread id goes to
// context.thread_id, the MY- code to context.error_code and the subsystem ([InnoDB],
// [Server]) to the module; lines without a header (an InnoDB dump) continue the entry.
std::unique_ptr<Parser> makeMysqlErrorParser();

}  // namespace homeo
