#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "transports/threaded_transport.h"

struct pg_conn;  // libpq's PGconn; only the .cc includes libpq-fe.h

namespace homeo {

struct PostgresOptions {
  std::string dsn;                      // a libpq key=value string or a postgresql:// URI
  std::string table = "error_records";  // name or schema.name (checkSqlTableName)
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};  // each batch's round trip (and the set-up's)
  bool create_table = true;
};

// Whether libpq can parse `dsn`; on a problem returns false and sets `error`.
bool checkPostgresDsn(std::string_view dsn, std::string& error);

// `dsn` for logs and reasons: the settings it makes, as keyword=value, every secret one
// (password, sslpassword: those libpq marks as such) written as ***. A DSN libpq cannot parse
// gives "(unparsable dsn)", since its text may hold a password.
std::string maskPostgresDsn(std::string_view dsn);

// The DDL the transport runs when `table` does not exist (and create_table is on).
std::string postgresTableDdl(std::string_view table);
// The statement each batch is: one INSERT ... SELECT over the batch as one JSON array ($1), the
// indexed columns taken out of each record by the server.
std::string postgresInsertSql(std::string_view table);

// How an error the server answered a batch with finishes it: data exceptions (SQLSTATE class
// 22), integrity constraint violations (23) and program limits (54) are the records' fault and
// permanent; anything else (connection, permissions, a missing table, shutdown) is retryable.
SendResult classifyPostgresError(std::string_view sqlstate);

// Appends the JSON `record` with each \u0000 escape replaced by \ufffd: jsonb cannot hold NUL,
// which a log line may contain. Returns how many were replaced.
size_t appendPostgresJson(std::string& out, std::string_view record);

// Type "postgres": inserts each batch into a table, the whole record in a jsonb column `record`
// and the fields queries filter on in columns of their own (see postgresTableDdl), from a worker
// thread over one libpq connection.
//
// A batch is one statement, so one transaction: kAccepted means committed. The connection is
// opened on the first batch (and again after any failure): connect within connect_timeout, create
// the table if missing, prepare the insert. Connection errors and timeouts are retryable (the
// Dispatcher retries with backoff; a commit whose answer was lost may then be inserted twice);
// errors the records cause are permanent, with the server's message as the reason. The password
// is never logged: reasons name the server by maskPostgresDsn().
class PostgresTransport final : public ThreadedTransport {
 public:
  PostgresTransport(boost::asio::any_io_executor loop, PostgresOptions options);
  ~PostgresTransport() override;

  std::string_view type() const override { return "postgres"; }
  const PostgresOptions& options() const { return options_; }

  // An outcome of one command: every result arrived (answered), and the first error among them.
  struct Outcome {
    bool answered = false;  // false: timed out or the connection broke; `message` says which
    bool failed = false;    // the server answered with an error
    std::string sqlstate;
    std::string message;
    std::string first_value;  // the first column of the first row answered, if any
  };

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override;
  void close() override;

 private:
  bool open(std::string& reason);
  bool connect(std::string& reason);
  Outcome awaitResults(std::chrono::steady_clock::time_point deadline);
  void closeConnection();

  const PostgresOptions options_;
  const std::string where_;  // masked DSN and table, for reasons and logs
  const std::string insert_sql_;
  pg_conn* conn_ = nullptr;  // worker thread only
  std::string payload_;      // the batch as one JSON array; reused
  bool ever_connected_ = false;
};

TransportFactory postgresTransportFactory();

}  // namespace homeo
