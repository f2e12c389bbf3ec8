#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "transports/threaded_transport.h"

struct sqlite3;
struct sqlite3_stmt;

namespace homeo {

struct SqliteOptions {
  std::string path;                     // absolute
  std::string table = "error_records";  // a name (checkSqlTableName)
  std::chrono::milliseconds busy_timeout{5000};
};

// The DDL the transport runs on opening the database (every statement IF NOT EXISTS).
std::string sqliteTableDdl(std::string_view table);
// The statement each record is inserted with (?1: the record), prepared once per open database.
std::string sqliteInsertSql(std::string_view table);

// Type "sqlite": inserts each batch into a table of an SQLite database file, the record as JSON
// text in `record` and the fields queries filter on in columns of their own (see sqliteTableDdl;
// `ts` is the record's timestamp in UTC as 2023-05-20T14:30:22.000Z, so text order is time order).
//
// The database is opened on the first batch (and again after an error), created 0640 with its
// parent directories if missing, in WAL mode with synchronous=FULL: a batch is one transaction,
// and kAccepted means its commit is on disk (WAL with synchronous=NORMAL could lose the last
// commits on power loss). Readers do not block it; another writer makes it wait up to
// busy_timeout, then retry. A database it cannot open or write is retryable with the reason; a
// record it rejects (not JSON, a constraint) is permanent and none of the batch is kept.
class SqliteTransport final : public ThreadedTransport {
 public:
  SqliteTransport(boost::asio::any_io_executor loop, SqliteOptions options);
  ~SqliteTransport() override;

  std::string_view type() const override { return "sqlite"; }
  bool localDestination() const override { return true; }
  const SqliteOptions& options() const { return options_; }

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override;
  void close() override;

 private:
  bool open(std::string& reason);
  void closeDatabase();
  // Runs `sql` (no rows wanted); on failure sets `reason` and returns the SQLite result code.
  int exec(const char* sql, std::string& reason);
  bool validJson(std::string_view record);

  const SqliteOptions options_;
  const std::string insert_sql_;
  sqlite3* db_ = nullptr;               // worker thread only
  sqlite3_stmt* insert_ = nullptr;      // prepared once per open database
  sqlite3_stmt* json_valid_ = nullptr;  // to tell a bad record from a bad database
  bool sync_dir_ = false;               // the file was created: make its entry durable
};

TransportFactory sqliteTransportFactory();

}  // namespace homeo
