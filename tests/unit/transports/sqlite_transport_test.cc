#include "transports/sqlite/sqlite_transport.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

namespace fs = std::filesystem;
using testing::makeBatch;
using testing::makeTransportConfig;
using testing::runUntil;
using testing::ScratchDir;

struct Sent {
  SendResult result;
  std::string reason;
};

Sent sendAndWait(boost::asio::io_context& io, Transport& t, std::shared_ptr<const Batch> batch) {
  std::optional<Sent> sent;
  t.send(std::move(batch), [&](SendResult r, std::string reason) { sent = Sent{r, reason}; });
  REQUIRE(runUntil(io, [&] { return sent.has_value(); }));
  return *sent;
}

// A reader of the database, as a user's query would be: its own connection.
class Reader {
 public:
  explicit Reader(const fs::path& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  }
  ~Reader() { sqlite3_close_v2(db_); }
  // Every row of `sql`, each column as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    std::vector<std::vector<std::string>> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row.emplace_back(text != nullptr ? text : "NULL");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string one(const std::string& sql) {
    auto r = rows(sql);
    REQUIRE(r.size() == 1);
    return r[0][0];
  }
  int exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

 private:
  sqlite3* db_ = nullptr;
};

const std::string kFull =
    R"({"timestamp":"2023-05-20T14:30:22.5+02:00","service":"checkout","level":"ERROR",)"
    R"("message":"KeyError: 'id'","exception_type":"KeyError",)"
    R"("metadata":{"fingerprint":"f1","source":{"path":"/var/log/a.log"}}})";
const std::string kPlain =
    R"({"timestamp":"2023-05-20T14:31:00Z","service":"billing","level":"CRITICAL",)"
    R"("message":"disk full \"/\"","metadata":{"fingerprint":"f2"}})";

SqliteOptions options(const fs::path& path) {
  SqliteOptions o;
  o.path = path.string();
  return o;
}

TEST_CASE("SqliteTransport inserts records with their columns, in WAL mode", "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "db" / "errors.db";
  boost::asio::io_context io;
  SqliteTransport t(io.get_executor(), options(path));

  Sent sent = sendAndWait(io, t, makeBatch(1, {kFull, kPlain}));
  REQUIRE(sent.result == SendResult::kAccepted);
  sent = sendAndWait(io, t, makeBatch(2, {R"({"message":"no fields"})"}));
  REQUIRE(sent.result == SendResult::kAccepted);

  Reader reader(path);
  const auto rows = reader.rows(
      "SELECT id, record, ts, service, level, exception_type, fingerprint FROM error_records "
      "ORDER BY id");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == std::vector<std::string>{"1", kFull, "2023-05-20T12:30:22.500Z", "checkout",
                                            "ERROR", "KeyError", "f1"});
  CHECK(rows[1] == std::vector<std::string>{"2", kPlain, "2023-05-20T14:31:00.000Z", "billing",
                                            "CRITICAL", "NULL", "f2"});
  CHECK(rows[2] == std::vector<std::string>{"3", R"({"message":"no fields"})", "NULL", "NULL",
                                            "NULL", "NULL", "NULL"});
  // received_at: now, in the same format as ts.
  CHECK_THAT(reader.one("SELECT received_at FROM error_records WHERE id = 1"),
             Catch::Matches(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"));
  CHECK(reader.one("PRAGMA journal_mode") == "wal");
  // The indexes of the DDL exist.
  CHECK(reader.one("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                   "'error_records' AND name LIKE 'error_records_%_idx'") == "3");

  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((st.st_mode & 0777) == (0640 & ~mask));
  t.stop();

  // Another transport on the same file continues the table.
  SqliteTransport again(io.get_executor(), options(path));
  sent = sendAndWait(io, again, makeBatch(3, {kPlain}));
  REQUIRE(sent.result == SendResult::kAccepted);
  CHECK(reader.one("SELECT max(id) || '/' || count(*) FROM error_records") == "4/4");
  again.stop();
}

TEST_CASE("SqliteTransport rejects a batch with a record that is not JSON, keeping none of it",
          "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "errors.db";
  boost::asio::io_context io;
  SqliteTransport t(io.get_executor(), options(path));

  Sent sent = sendAndWait(io, t, makeBatch(1, {kFull, "{not json", kPlain}));
  CHECK(sent.result == SendResult::kPermanent);
  CHECK_THAT(sent.reason, Catch::Contains("record 2 of 3"));
  CHECK_THAT(sent.reason, Catch::Contains("not valid JSON"));
  Reader reader(path);
  CHECK(reader.one("SELECT count(*) FROM error_records") == "0");

  // The database stays usable.
  sent = sendAndWait(io, t, makeBatch(2, {kPlain}));
  CHECK(sent.result == SendResult::kAccepted);
  CHECK(reader.one("SELECT count(*) FROM error_records") == "1");

  // A constraint the user added rejects records too.
  REQUIRE(reader.exec("CREATE TRIGGER no_poison BEFORE INSERT ON error_records "
                      "WHEN NEW.record LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned'); "
                      "END") == SQLITE_OK);
  sent = sendAndWait(io, t, makeBatch(3, {kPlain, R"({"message":"poison"})"}));
  CHECK(sent.result == SendResult::kPermanent);
  CHECK_THAT(sent.reason, Catch::Contains("poisoned"));
  CHECK(reader.one("SELECT count(*) FROM error_records") == "1");
  t.stop();
}

TEST_CASE("SqliteTransport reports a file it cannot open as retryable, then recovers",
          "[transports]") {
  ScratchDir dir;
  boost::asio::io_context io;

  SECTION("parent is not a directory") {
    std::ofstream(fs::path(dir.path) / "plain") << "x";
    const fs::path path = fs::path(dir.path) / "plain" / "errors.db";
    SqliteTransport t(io.get_executor(), options(path));
    const Sent sent = sendAndWait(io, t, makeBatch(1, {kPlain}));
    CHECK(sent.result == SendResult::kRetryable);
    CHECK_THAT(sent.reason, Catch::Contains(path.string()));
    CHECK_THAT(sent.reason, Catch::Contains("directory"));
    t.stop();
  }
  SECTION("not a database, until it is replaced") {
    const fs::path path = fs::path(dir.path) / "errors.db";
    std::ofstream(path) << std::string(4096, 'x');
    SqliteTransport t(io.get_executor(), options(path));
    Sent sent = sendAndWait(io, t, makeBatch(1, {kPlain}));
    CHECK(sent.result == SendResult::kRetryable);
    CHECK_THAT(sent.reason, Catch::Contains(path.string()));
    CHECK_THAT(sent.reason, Catch::Contains("not a database"));
    fs::remove(path);
    sent = sendAndWait(io, t, makeBatch(1, {kPlain}));
    CHECK(sent.result == SendResult::kAccepted);
    t.stop();
  }
  SECTION("a directory") {
    const fs::path path = fs::path(dir.path) / "errors.db";
    fs::create_directory(path);
    SqliteTransport t(io.get_executor(), options(path));
    const Sent sent = sendAndWait(io, t, makeBatch(1, {kPlain}));
    CHECK(sent.result == SendResult::kRetryable);
    CHECK_THAT(sent.reason, Catch::Contains(path.string()));
    t.stop();
  }
}

TEST_CASE("SqliteTransport waits busy_timeout for another writer, then retries", "[transports]") {
  ScratchDir dir;
  const fs::path path = fs::path(dir.path) / "errors.db";
  boost::asio::io_context io;
  SqliteOptions o = options(path);
  o.busy_timeout = std::chrono::milliseconds(50);
  SqliteTransport t(io.get_executor(), o);
  REQUIRE(sendAndWait(io, t, makeBatch(1, {kPlain})).result == SendResult::kAccepted);

  Reader writer(path);
  REQUIRE(writer.exec("BEGIN IMMEDIATE") == SQLITE_OK);
  Sent sent = sendAndWait(io, t, makeBatch(2, {kFull}));
  CHECK(sent.result == SendResult::kRetryable);
  CHECK_THAT(sent.reason, Catch::Contains("locked"));
  REQUIRE(writer.exec("COMMIT") == SQLITE_OK);
  sent = sendAndWait(io, t, makeBatch(2, {kFull}));
  CHECK(sent.result == SendResult::kAccepted);
  CHECK(writer.one("SELECT count(*) FROM error_records") == "2");
  t.stop();
}

TEST_CASE("sqlite transport factory validates options and opens nothing", "[transports]") {
  ScratchDir dir;
  boost::asio::io_context io;
  const TransportContext ctx{io.get_executor(), dir.path};
  std::vector<config::Diagnostic> diags;
  const TransportFactory factory = sqliteTransportFactory();
  CHECK(factory.type == "sqlite");

  SECTION("valid, with defaults") {
    const fs::path path = fs::path(dir.path) / "later" / "errors.db";
    auto t = factory.create(ctx, makeTransportConfig("sqlite", {{"path", path.string()}}), diags);
    REQUIRE(t != nullptr);
    CHECK(diags.empty());
    auto& sqlite = dynamic_cast<SqliteTransport&>(*t);
    CHECK(sqlite.options().path == path.string());
    CHECK(sqlite.options().table == "error_records");
    CHECK(sqlite.options().busy_timeout == std::chrono::milliseconds(5000));
    CHECK_FALSE(fs::exists(path.parent_path()));
  }
  SECTION("every option") {
    auto t = factory.create(
        ctx,
        makeTransportConfig(
            "sqlite", {{"path", "/tmp/x.db"}, {"table", "app_errors"}, {"busy_timeout_ms", "250"}}),
        diags);
    REQUIRE(t != nullptr);
    auto& sqlite = dynamic_cast<SqliteTransport&>(*t);
    CHECK(sqlite.options().table == "app_errors");
    CHECK(sqlite.options().busy_timeout == std::chrono::milliseconds(250));
  }
  SECTION("relative path") {
    CHECK(factory.create(ctx, makeTransportConfig("sqlite", {{"path", "errors.db"}}), diags) ==
          nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("absolute"));
    CHECK(diags[0].where.line == 3);
  }
  SECTION("missing path") {
    CHECK(factory.create(ctx, makeTransportConfig("sqlite", {}), diags) == nullptr);
    CHECK_FALSE(diags.empty());
  }
  SECTION("bad table names") {
    for (const char* table : {"Errors", "1errors", "main.errors", "err-ors", "", "a\"b"}) {
      diags.clear();
      CHECK(factory.create(ctx,
                           makeTransportConfig("sqlite", {{"path", "/tmp/x.db"}, {"table", table}}),
                           diags) == nullptr);
      REQUIRE(diags.size() == 1);
      CHECK_THAT(diags[0].message, Catch::Contains("table must be"));
    }
  }
  SECTION("busy_timeout_ms out of range") {
    CHECK(factory.create(
              ctx,
              makeTransportConfig("sqlite", {{"path", "/tmp/x.db"}, {"busy_timeout_ms", "-1"}}),
              diags) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("busy_timeout_ms"));
  }
  SECTION("unknown key") {
    CHECK(factory.create(ctx, makeTransportConfig("sqlite", {{"path", "/tmp/x.db"}, {"dsn", "y"}}),
                         diags) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("unknown key 'dsn'"));
  }
}

std::string readmeText() {
  std::ifstream in(std::string(HOMEO_TEST_DATA) + "/../../README.md");
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string withoutQuotes(std::string s) {
  std::erase(s, '"');
  return s;
}

TEST_CASE("The README shows the DDL the sqlite transport runs", "[transports]") {
  const std::string ddl = withoutQuotes(sqliteTableDdl("error_records"));
  CHECK_THAT(readmeText(), Catch::Contains("```sql\n" + ddl + "```\n"));
}

}  // namespace
}  // namespace homeo
