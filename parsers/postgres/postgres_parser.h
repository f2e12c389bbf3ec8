#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// PostgreSQL server log (stderr/logging_collector, the default log_line_prefix '%m [%p] '
// and variants with user@db or other fields before the severity):
//   2024-01-02 15:04:05.123 UTC [4242] ERROR:  relation "orders" does not exist at character 15
//   2024-01-02 15:04:05.123 UTC [4242] STATEMENT:  SELECT * FROM orders;
// ERROR is ERROR, FATAL and PANIC are CRITICAL, WARNING is WARNING, LOG/INFO/NOTICE are INFO,
// DEBUG1-5 DEBUG. The lines PostgreSQL writes after an entry to explain it (DETAIL, HINT,
// CONTEXT, QUERY, STATEMENT, LOCATION) and the tab-indented rest of a multi-line statement
// belong to that entry: they go to context.detail, context.hint, context.statement...
std::unique_ptr<Parser> makePostgresParser();

}  // namespace homeo
