#include "transports/sql_table.h"

namespace homeo {

namespace {

constexpr size_t kMaxIdentifier = 40;

bool isIdentifier(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdentifier) return false;
  if (s[0] >= '0' && s[0] <= '9') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

bool checkSqlTableName(std::string_view table, bool allow_schema, std::string& error) {
  const size_t dot = table.find('.');
  bool ok;
  if (dot == std::string_view::npos) {
    ok = isIdentifier(table);
  } else {
    ok = allow_schema && isIdentifier(table.substr(0, dot)) && isIdentifier(table.substr(dot + 1));
  }
  if (ok) return true;
  error = "table must be ";
  error += allow_schema ? "a name or schema.name" : "a name";
  error += " of lower-case letters, digits and '_' (at most " + std::to_string(kMaxIdentifier) +
           " characters, not starting with a digit), got '" + std::string(table) + "'";
  return false;
}

std::string quoteSqlTableName(std::string_view table) {
  const size_t dot = table.find('.');
  if (dot == std::string_view::npos) return "\"" + std::string(table) + "\"";
  return "\"" + std::string(table.substr(0, dot)) + "\".\"" + std::string(table.substr(dot + 1)) +
         "\"";
}

std::string_view sqlTableBaseName(std::string_view table) {
  const size_t dot = table.find('.');
  return dot == std::string_view::npos ? table : table.substr(dot + 1);
}

std::string recordTableIndexesSql(std::string_view table) {
  const std::string t = quoteSqlTableName(table);
  const std::string base(sqlTableBaseName(table));
  return "CREATE INDEX IF NOT EXISTS \"" + base + "_ts_idx\" ON " + t + " (ts);\n" +
         "CREATE INDEX IF NOT EXISTS \"" + base + "_service_ts_idx\" ON " + t +
         " (service, ts);\n" + "CREATE INDEX IF NOT EXISTS \"" + base + "_fingerprint_idx\" ON " +
         t + " (fingerprint);\n";
}

}  // namespace homeo
