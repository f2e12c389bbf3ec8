#include "transports/sqlite/sqlite_transport.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "transports/fd_write.h"
#include "transports/sql_table.h"

namespace homeo {

namespace {

bool isBusy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// Rejections that are the record's fault and would repeat on every attempt.
bool isRecordError(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CONSTRAINT || primary == SQLITE_TOOBIG || primary == SQLITE_MISMATCH;
}

}  // namespace

std::string sqliteTableDdl(std::string_view table) {
  const std::string t = quoteSqlTableName(table);
  return "CREATE TABLE IF NOT EXISTS " + t +
         " (\n"
         "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
         "  record TEXT NOT NULL,\n"
         "  ts TEXT,\n"
         "  service TEXT,\n"
         "  level TEXT,\n"
         "  exception_type TEXT,\n"
         "  fingerprint TEXT,\n"
         "  received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))\n"
         ");\n" +
         recordTableIndexesSql(table);
}

std::string sqliteInsertSql(std::string_view table) {
  // SQLite keeps the parse of ?1 between the json_extract calls of one row.
  return "INSERT INTO " + quoteSqlTableName(table) +
         " (record, ts, service, level, exception_type, fingerprint)\n"
         "VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(?1, '$.timestamp')),\n"
         "        json_extract(?1, '$.service'), json_extract(?1, '$.level'),\n"
         "        json_extract(?1, '$.exception_type'), json_extract(?1, "
         "'$.metadata.fingerprint'))";
}

SqliteTransport::SqliteTransport(boost::asio::any_io_executor loop, SqliteOptions options)
    : ThreadedTransport(std::move(loop)),
      options_(std::move(options)),
      insert_sql_(sqliteInsertSql(options_.table)) {}

SqliteTransport::~SqliteTransport() { stop(); }

void SqliteTransport::closeDatabase() {
  sqlite3_finalize(insert_);
  sqlite3_finalize(json_valid_);
  insert_ = nullptr;
  json_valid_ = nullptr;
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void SqliteTransport::close() { closeDatabase(); }

int SqliteTransport::exec(const char* sql, std::string& reason) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) reason = "sqlite " + options_.path + ": " + sqlite3_errmsg(db_);
  return rc;
}

bool SqliteTransport::open(std::string& reason) {
  const std::string& path = options_.path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    // Created here rather than by SQLite, for its mode: records may be sensitive. SQLite gives
    // the -wal and -shm files the database's mode.
    if (const int err = makeParentDirs(path); err != 0) {
      reason = "sqlite: create directory for " + path + ": " + std::generic_category().message(err);
      return false;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0 && errno != EEXIST) {
      reason = "sqlite: create " + path + ": " + std::generic_category().message(errno);
      return false;
    }
    if (fd >= 0) {
      ::close(fd);
      sync_dir_ = true;
    }
  }

  int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    reason = "sqlite: open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    closeDatabase();
    return false;
  }
  sqlite3_busy_timeout(db_, static_cast<int>(options_.busy_timeout.count()));

  // journal_mode answers with the mode in force, which stays the old one where WAL is not
  // possible (no shared memory on the file system).
  sqlite3_stmt* pragma = nullptr;
  rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &pragma, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(pragma);
  if (rc != SQLITE_ROW) {
    reason = "sqlite: open " + path + ": " + sqlite3_errmsg(db_);
    sqlite3_finalize(pragma);
    closeDatabase();
    return false;
  }
  const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(pragma, 0));
  const std::string journal_mode = mode != nullptr ? mode : "";
  sqlite3_finalize(pragma);
  if (journal_mode != "wal") {
    spdlog::warn(
        "sqlite transport: {} cannot use WAL mode (journal mode {}); commits stay "
        "durable but block readers",
        path, journal_mode);
  }

  const std::string setup =
      "PRAGMA synchronous=FULL;\nBEGIN IMMEDIATE;\n" + sqliteTableDdl(options_.table) + "COMMIT;\n";
  if (exec(setup.c_str(), reason) != SQLITE_OK) {
    closeDatabase();  // rolls back the set-up if it stopped inside it
    return false;
  }
  rc = sqlite3_prepare_v3(db_, insert_sql_.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &insert_,
                          nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v3(db_, "SELECT json_valid(?1)", -1, SQLITE_PREPARE_PERSISTENT,
                            &json_valid_, nullptr);
  }
  if (rc != SQLITE_OK) {
    reason = "sqlite " + path + ": prepare the insert: " + sqlite3_errmsg(db_);
    closeDatabase();
    return false;
  }
  return true;
}

bool SqliteTransport::validJson(std::string_view record) {
  sqlite3_bind_text(json_valid_, 1, record.data(), static_cast<int>(record.size()), SQLITE_STATIC);
  const bool valid =
      sqlite3_step(json_valid_) == SQLITE_ROW && sqlite3_column_int(json_valid_, 0) == 1;
  sqlite3_reset(json_valid_);
  sqlite3_clear_bindings(json_valid_);
  return valid;
}

SendResult SqliteTransport::deliver(const Batch& batch, std::string& reason) {
  if (batch.records.empty()) return SendResult::kAccepted;
  if (db_ == nullptr && !open(reason)) return SendResult::kRetryable;

  // IMMEDIATE takes the write lock now, waiting out another writer up to busy_timeout.
  int rc = exec("BEGIN IMMEDIATE", reason);
  if (rc != SQLITE_OK) {
    if (!isBusy(rc)) closeDatabase();
    return SendResult::kRetryable;
  }
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const std::string& record = batch.records[i];
    sqlite3_bind_text(insert_, 1, record.data(), static_cast<int>(record.size()), SQLITE_STATIC);
    rc = sqlite3_step(insert_);
    if (rc == SQLITE_DONE) {
      sqlite3_reset(insert_);
      continue;
    }
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(insert_);
    sqlite3_clear_bindings(insert_);
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    // json_extract fails with a generic SQLITE_ERROR on malformed JSON.
    const bool bad_record =
        isRecordError(rc) || ((rc & 0xff) == SQLITE_ERROR && !validJson(record));
    reason =
        "sqlite " + options_.path + ": insert record " + std::to_string(i + 1) + " of " +
        std::to_string(batch.records.size()) + ": " +
        (bad_record && (rc & 0xff) == SQLITE_ERROR ? "not valid JSON (" + message + ")" : message);
    if (bad_record) return SendResult::kPermanent;
    if (!isBusy(rc)) closeDatabase();
    return SendResult::kRetryable;
  }
  sqlite3_clear_bindings(insert_);
  rc = exec("COMMIT", reason);
  if (rc != SQLITE_OK) {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    if (!isBusy(rc)) closeDatabase();
    return SendResult::kRetryable;
  }
  if (sync_dir_) {
    syncParentDir(options_.path);
    sync_dir_ = false;
  }
  return SendResult::kAccepted;
}

TransportFactory sqliteTransportFactory() {
  return {
      "sqlite",
      "inserts records into an SQLite database file, the record as JSON text (options: path, "
      "table, busy_timeout_ms)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        auto where = [&](std::string_view key) { return options.whereOf(key); };
        SqliteOptions o;
        if (auto path = options.getString("path", diags, /*required=*/true)) {
          if (path->empty() || path->front() != '/') {
            diags.push_back(
                {where("path"), "sqlite transport: path must be absolute, got '" + *path + "'"});
          } else if (path->back() == '/') {
            diags.push_back(
                {where("path"), "sqlite transport: path must name a file, got '" + *path + "'"});
          }
          o.path = std::move(*path);
        }
        if (auto table = options.getString("table", diags)) {
          std::string error;
          if (!checkSqlTableName(*table, /*allow_schema=*/false, error)) {
            diags.push_back({where("table"), "sqlite transport: " + error});
          }
          o.table = std::move(*table);
        }
        if (auto ms = options.getInt("busy_timeout_ms", diags, 0, 600000)) {
          o.busy_timeout = std::chrono::milliseconds(*ms);
        }
        options.rejectUnknown({"path", "table", "busy_timeout_ms"}, "sqlite transport", diags);
        if (diags.size() != errors) return nullptr;
        return std::make_unique<SqliteTransport>(ctx.executor, std::move(o));
      },
  };
}

}  // namespace homeo
