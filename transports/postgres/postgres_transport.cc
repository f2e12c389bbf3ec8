#include "transports/postgres/postgres_transport.h"

#include <poll.h>
#include <postgresql/libpq-fe.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "transports/sql_table.h"

namespace homeo {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kInsertStatement = "homeostasisd_insert";
constexpr size_t kMaxMessage = 300;

// libpq's messages end in a newline and may span lines; a reason is one line.
std::string oneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string connectionError(PGconn* conn) {
  std::string text = oneLine(conn != nullptr ? PQerrorMessage(conn) : "out of memory");
  return text.empty() ? "connection failed" : text;
}

enum class Wait { kReady, kTimeout, kError };

// Waits until `fd` is readable (or writable, when `write`) or the deadline passes.
Wait waitSocket(int fd, bool read, bool write, Clock::time_point deadline, int& err) {
  if (fd < 0) {
    err = EBADF;
    return Wait::kError;
  }
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Wait::kTimeout;
    pollfd p{};
    p.fd = fd;
    p.events = static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0));
    const int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n > 0) return Wait::kReady;
    if (n < 0 && errno != EINTR) {
      err = errno;
      return Wait::kError;
    }
  }
}

std::string quoteDsnValue(std::string_view value) {
  if (!value.empty() && value.find_first_of(" '\\") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

bool checkPostgresDsn(std::string_view dsn, std::string& error) {
  char* errmsg = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(dsn).c_str(), &errmsg);
  if (options == nullptr) {
    error = errmsg != nullptr ? oneLine(errmsg) : "out of memory";
    if (errmsg != nullptr) PQfreemem(errmsg);
    return false;
  }
  PQconninfoFree(options);
  return true;
}

std::string maskPostgresDsn(std::string_view dsn) {
  PQconninfoOption* options = PQconninfoParse(std::string(dsn).c_str(), nullptr);
  if (options == nullptr) return "(unparsable dsn)";
  std::string out;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (!out.empty()) out.push_back(' ');
    out += o->keyword;
    out.push_back('=');
    const bool secret = o->dispchar != nullptr && std::strchr(o->dispchar, '*') != nullptr;
    out += secret ? "***" : quoteDsnValue(o->val);
  }
  PQconninfoFree(options);
  return out.empty() ? "(libpq defaults)" : out;
}

std::string postgresTableDdl(std::string_view table) {
  const std::string t = quoteSqlTableName(table);
  return "CREATE TABLE IF NOT EXISTS " + t +
         " (\n"
         "  id bigserial PRIMARY KEY,\n"
         "  record jsonb NOT NULL,\n"
         "  ts timestamptz,\n"
         "  service text,\n"
         "  level text,\n"
         "  exception_type text,\n"
         "  fingerprint text,\n"
         "  received_at timestamptz NOT NULL DEFAULT now()\n"
         ");\n" +
         recordTableIndexesSql(table);
}

std::string postgresInsertSql(std::string_view table) {
  return "INSERT INTO " + quoteSqlTableName(table) +
         " (record, ts, service, level, exception_type, fingerprint)\n"
         "SELECT r, (r->>'timestamp')::timestamptz, r->>'service', r->>'level',\n"
         "       r->>'exception_type', r#>>'{metadata,fingerprint}'\n"
         "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch(r, n)\n"
         "ORDER BY n";
}

SendResult classifyPostgresError(std::string_view sqlstate) {
  const std::string_view cls = sqlstate.substr(0, 2);
  if (sqlstate.size() == 5 && (cls == "22" || cls == "23" || cls == "54")) {
    return SendResult::kPermanent;
  }
  return SendResult::kRetryable;
}

size_t appendPostgresJson(std::string& out, std::string_view record) {
  // Outside strings JSON has no backslash, and inside them each one starts an escape: so a
  // backslash followed by u0000 is a NUL escape, and the character after any other backslash is
  // skipped (it may be a backslash itself).
  size_t replaced = 0;
  size_t from = 0;
  while (true) {
    const size_t slash = record.find('\\', from);
    if (slash == std::string_view::npos || slash + 1 >= record.size()) break;
    if (record.compare(slash + 1, 5, "u0000") == 0) {
      out.append(record.substr(from, slash - from));
      out.append("\\ufffd");
      from = slash + 6;
      ++replaced;
    } else {
      out.append(record.substr(from, slash + 2 - from));
      from = slash + 2;
    }
  }
  out.append(record.substr(from));
  return replaced;
}

PostgresTransport::PostgresTransport(boost::asio::any_io_executor loop, PostgresOptions options)
    : ThreadedTransport(std::move(loop)),
      options_(std::move(options)),
      where_(maskPostgresDsn(options_.dsn) + ", table " + options_.table),
      insert_sql_(postgresInsertSql(options_.table)) {}

PostgresTransport::~PostgresTransport() { stop(); }

void PostgresTransport::closeConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

void PostgresTransport::close() { closeConnection(); }

bool PostgresTransport::connect(std::string& reason) {
  const auto deadline = Clock::now() + options_.connect_timeout;
  // The DSN comes last so that what it says wins; fallback_application_name only names us in
  // pg_stat_activity when it does not.
  const char* const keywords[] = {"fallback_application_name", "dbname", nullptr};
  const char* const values[] = {"homeostasisd", options_.dsn.c_str(), nullptr};
  PGconn* conn = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) status = PGRES_POLLING_FAILED;
  while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED) {
    int err = 0;
    const Wait w = waitSocket(PQsocket(conn), status == PGRES_POLLING_READING,
                              status == PGRES_POLLING_WRITING, deadline, err);
    if (w == Wait::kTimeout) {
      reason = "connect to " + where_ + ": no connection within connect_timeout_ms (" +
               millis(options_.connect_timeout) + ")";
      PQfinish(conn);
      return false;
    }
    if (w == Wait::kError) {
      reason = "connect to " + where_ + ": poll: " + std::generic_category().message(err);
      PQfinish(conn);
      return false;
    }
    status = PQconnectPoll(conn);
  }
  if (status == PGRES_POLLING_FAILED) {
    reason = "connect to " + where_ + ": " + connectionError(conn);
    if (conn != nullptr) PQfinish(conn);
    return false;
  }
  // Non-blocking, so that sending a large batch to a server that stopped reading cannot hang
  // past the timeout either.
  if (PQsetnonblocking(conn, 1) != 0) {
    reason = "connect to " + where_ + ": " + connectionError(conn);
    PQfinish(conn);
    return false;
  }
  conn_ = conn;
  return true;
}

PostgresTransport::Outcome PostgresTransport::awaitResults(Clock::time_point deadline) {
  Outcome o;
  auto broken = [&](std::string what) {
    o.answered = false;
    o.message = std::move(what);
    return o;
  };
  auto waitFor = [&](bool write) -> std::optional<std::string> {
    int err = 0;
    switch (waitSocket(PQsocket(conn_), true, write, deadline, err)) {
      case Wait::kReady:
        if (PQconsumeInput(conn_) == 0) return connectionError(conn_);
        return std::nullopt;
      case Wait::kTimeout:
        return "no answer within timeout_ms (" + millis(options_.timeout) + ")";
      case Wait::kError:
        return "poll: " + std::generic_category().message(err);
    }
    return std::nullopt;
  };
  while (true) {
    const int flushed = PQflush(conn_);
    if (flushed < 0) return broken(connectionError(conn_));
    if (flushed == 0) break;
    if (auto problem = waitFor(true)) return broken(std::move(*problem));
  }
  while (true) {
    while (PQisBusy(conn_) != 0) {
      if (auto problem = waitFor(false)) return broken(std::move(*problem));
    }
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) break;
    const ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK && o.first_value.empty() && PQntuples(res) > 0 &&
        PQnfields(res) > 0) {
      o.first_value = PQgetvalue(res, 0, 0);
    }
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !o.failed) {
      o.failed = true;
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      o.sqlstate = state != nullptr ? state : "";
      // The primary message only: DETAIL may quote the whole failing row.
      const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
      std::string message = oneLine(primary != nullptr ? primary : PQresultErrorMessage(res));
      if (message.size() > kMaxMessage) message = message.substr(0, kMaxMessage) + "...";
      if (message.empty()) message = connectionError(conn_);
      o.message = std::move(message);
    }
    PQclear(res);
  }
  o.answered = true;
  return o;
}

bool PostgresTransport::open(std::string& reason) {
  if (!connect(reason)) return false;
  auto fail = [&](std::string_view step, const Outcome& o) {
    reason = std::string(step) + " (" + where_ + "): " + o.message;
    if (!o.sqlstate.empty()) reason += " (SQLSTATE " + o.sqlstate + ")";
    closeConnection();
    return false;
  };
  auto notSent = [&] {
    Outcome o;
    o.message = connectionError(conn_);
    return o;
  };
  const auto deadline = Clock::now() + options_.timeout;
  if (options_.create_table) {
    // Only when the table is missing: CREATE ... IF NOT EXISTS still needs the CREATE privilege,
    // which a role that just inserts may not have.
    const char* const params[] = {options_.table.c_str()};
    if (PQsendQueryParams(conn_, "SELECT to_regclass($1) IS NULL", 1, nullptr, params, nullptr,
                          nullptr, 0) == 0) {
      return fail("look up the table", notSent());
    }
    Outcome o = awaitResults(deadline);
    if (!o.answered || o.failed) return fail("look up the table", o);
    if (o.first_value == "t") {
      // One simple query: its statements run as one transaction.
      if (PQsendQuery(conn_, postgresTableDdl(options_.table).c_str()) == 0) {
        return fail("create the table", notSent());
      }
      o = awaitResults(deadline);
      if (!o.answered || o.failed) return fail("create the table", o);
      spdlog::info("postgres transport: created table {} with its indexes", options_.table);
    }
  }
  if (PQsendPrepare(conn_, kInsertStatement, insert_sql_.c_str(), 1, nullptr) == 0) {
    return fail("prepare the insert", notSent());
  }
  const Outcome o = awaitResults(deadline);
  if (!o.answered || o.failed) return fail("prepare the insert", o);
  if (!ever_connected_) {
    spdlog::info("postgres transport: connected to {}", where_);
    ever_connected_ = true;
  }
  return true;
}

SendResult PostgresTransport::deliver(const Batch& batch, std::string& reason) {
  if (batch.records.empty()) return SendResult::kAccepted;
  if (conn_ == nullptr && !open(reason)) return SendResult::kRetryable;

  payload_.clear();
  payload_.reserve(batch.bytes + batch.records.size() + 2);
  payload_.push_back('[');
  for (size_t i = 0; i < batch.records.size(); ++i) {
    if (i != 0) payload_.push_back(',');
    appendPostgresJson(payload_, batch.records[i]);
  }
  payload_.push_back(']');

  const auto deadline = Clock::now() + options_.timeout;
  const char* const params[] = {payload_.c_str()};
  if (PQsendQueryPrepared(conn_, kInsertStatement, 1, params, nullptr, nullptr, 0) == 0) {
    reason = "insert into " + where_ + ": " + connectionError(conn_);
    closeConnection();
    return SendResult::kRetryable;
  }
  const Outcome o = awaitResults(deadline);
  if (o.answered && !o.failed) return SendResult::kAccepted;

  reason = "insert into " + where_ + ": " + o.message;
  if (!o.sqlstate.empty()) reason += " (SQLSTATE " + o.sqlstate + ")";
  if (o.answered && PQstatus(conn_) == CONNECTION_OK &&
      classifyPostgresError(o.sqlstate) == SendResult::kPermanent) {
    return SendResult::kPermanent;  // the connection is fine and ready for the next batch
  }
  // Start over on the next attempt: reconnect, check the table, prepare again.
  closeConnection();
  return SendResult::kRetryable;
}

TransportFactory postgresTransportFactory() {
  return {
      "postgres",
      "inserts records into a PostgreSQL table, the record in a jsonb column (options: dsn, "
      "table, create_table, connect_timeout_ms, timeout_ms)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        auto where = [&](std::string_view key) { return options.whereOf(key); };
        PostgresOptions o;
        if (auto dsn = options.getString("dsn", diags, /*required=*/true)) {
          std::string error;
          if (dsn->empty()) {
            diags.push_back({where("dsn"), "postgres transport: dsn must not be empty"});
          } else if (!checkPostgresDsn(*dsn, error)) {
            diags.push_back({where("dsn"),
                             "postgres transport: dsn is not a libpq connection "
                             "string or URI: " +
                                 error});
          }
          o.dsn = std::move(*dsn);
        }
        if (auto table = options.getString("table", diags)) {
          std::string error;
          if (!checkSqlTableName(*table, /*allow_schema=*/true, error)) {
            diags.push_back({where("table"), "postgres transport: " + error});
          }
          o.table = std::move(*table);
        }
        if (auto create = options.getBool("create_table", diags)) o.create_table = *create;
        if (auto ms = options.getInt("connect_timeout_ms", diags, 100, 600000)) {
          o.connect_timeout = std::chrono::milliseconds(*ms);
        }
        if (auto ms = options.getInt("timeout_ms", diags, 100, 3600000)) {
          o.timeout = std::chrono::milliseconds(*ms);
        }
        options.rejectUnknown({"dsn", "table", "create_table", "connect_timeout_ms", "timeout_ms"},
                              "postgres transport", diags);
        if (diags.size() != errors) return nullptr;
        return std::make_unique<PostgresTransport>(ctx.executor, std::move(o));
      },
  };
}

}  // namespace homeo
