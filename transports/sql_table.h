#pragma once

#include <string>
#include <string_view>

namespace homeo {

// Checks the `table` option of the database transports: a lower-case SQL identifier
// ([a-z_][a-z0-9_]*, at most 40 characters so that the index names derived from it stay within
// PostgreSQL's 63), or `schema.table` when `allow_schema`. On a problem returns false and sets
// `error`. Upper case is refused because it would make the name case-sensitive in queries.
bool checkSqlTableName(std::string_view table, bool allow_schema, std::string& error);

// `table` (checked above) as a quoted SQL name: "error_records" or "schema"."error_records".
std::string quoteSqlTableName(std::string_view table);

// The part after the schema, from which index names are made: error_records_ts_idx.
std::string_view sqlTableBaseName(std::string_view table);

// The indexes both database transports create on the record table (ts; service, ts;
// fingerprint), as CREATE INDEX IF NOT EXISTS statements, each ending in ";\n".
std::string recordTableIndexesSql(std::string_view table);

}  // namespace homeo
