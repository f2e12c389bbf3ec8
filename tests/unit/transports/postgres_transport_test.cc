#include "transports/postgres/postgres_transport.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "tests/unit/transports/test_util.h"

namespace homeo {
namespace {

using testing::makeBatch;
using testing::makeTransportConfig;
using testing::runUntil;

TEST_CASE("maskPostgresDsn never shows a password", "[transports]") {
  SECTION("URI with a password") {
    const std::string masked =
        maskPostgresDsn("postgresql://homeo:s3cret@db.example:5433/errors?sslmode=require");
    CHECK_THAT(masked, !Catch::Contains("s3cret"));
    CHECK_THAT(masked, Catch::Contains("user=homeo"));
    CHECK_THAT(masked, Catch::Contains("password=***"));
    CHECK_THAT(masked, Catch::Contains("host=db.example"));
    CHECK_THAT(masked, Catch::Contains("port=5433"));
    CHECK_THAT(masked, Catch::Contains("dbname=errors"));
    CHECK_THAT(masked, Catch::Contains("sslmode=require"));
  }
  SECTION("URI with the password as a parameter") {
    const std::string masked = maskPostgresDsn("postgres://homeo@localhost/errors?password=pw%20x");
    CHECK_THAT(masked, !Catch::Contains("pw"));
    CHECK_THAT(masked, Catch::Contains("password=***"));
  }
  SECTION("key=value with a quoted password and an ssl key password") {
    const std::string masked = maskPostgresDsn(
        "host=127.0.0.1 dbname=errors user=homeo password='two words' sslpassword=keypass");
    CHECK_THAT(masked, !Catch::Contains("two words"));
    CHECK_THAT(masked, !Catch::Contains("keypass"));
    CHECK_THAT(masked, Catch::Contains("password=***"));
    CHECK_THAT(masked, Catch::Contains("sslpassword=***"));
    CHECK_THAT(masked, Catch::Contains("host=127.0.0.1"));
  }
  SECTION("without a password") {
    CHECK(maskPostgresDsn("host=/run/postgresql dbname=errors") ==
          "dbname=errors host=/run/postgresql");  // in libpq's order
  }
  SECTION("unparsable") { CHECK(maskPostgresDsn("host=x password secret") == "(unparsable dsn)"); }
}

TEST_CASE("checkPostgresDsn accepts what libpq parses", "[transports]") {
  std::string error;
  CHECK(checkPostgresDsn("postgresql://homeo@127.0.0.1:5432/homeostasis", error));
  CHECK(checkPostgresDsn("host=127.0.0.1 port=5432 dbname=homeostasis", error));
  CHECK_FALSE(checkPostgresDsn("host=127.0.0.1 nonsense=1", error));
  CHECK_THAT(error, Catch::Contains("nonsense"));
  CHECK_FALSE(checkPostgresDsn("postgresql://h/db?bogus=1", error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("classifyPostgresError: the records' fault is permanent, the rest retryable",
          "[transports]") {
  CHECK(classifyPostgresError("22P02") == SendResult::kPermanent);  // invalid text representation
  CHECK(classifyPostgresError("22007") == SendResult::kPermanent);  // invalid datetime format
  CHECK(classifyPostgresError("23514") == SendResult::kPermanent);  // check violation
  CHECK(classifyPostgresError("54000") == SendResult::kPermanent);  // program limit exceeded
  CHECK(classifyPostgresError("08006") == SendResult::kRetryable);  // connection failure
  CHECK(classifyPostgresError("57P01") == SendResult::kRetryable);  // admin shutdown
  CHECK(classifyPostgresError("42P01") == SendResult::kRetryable);  // undefined table
  CHECK(classifyPostgresError("42501") == SendResult::kRetryable);  // insufficient privilege
  CHECK(classifyPostgresError("53100") == SendResult::kRetryable);  // disk full
  CHECK(classifyPostgresError("") == SendResult::kRetryable);       // the client's own error
}

TEST_CASE("appendPostgresJson replaces NUL escapes only", "[transports]") {
  std::string out;
  CHECK(appendPostgresJson(out, R"({"m":"a\u0000b\u0000"})") == 2);
  CHECK(out == R"({"m":"a\ufffdb\ufffd"})");
  out.clear();
  // An escaped backslash followed by the text u0000 is no NUL.
  CHECK(appendPostgresJson(out, R"({"m":"a\\u0000","n":"\"\\"})") == 0);
  CHECK(out == R"({"m":"a\\u0000","n":"\"\\"})");
  out.clear();
  CHECK(appendPostgresJson(out, R"({"m":"\\\u0000\u00001"})") == 2);
  CHECK(out == R"({"m":"\\\ufffd\ufffd1"})");
}

TEST_CASE("postgresInsertSql is one statement for the batch", "[transports]") {
  const std::string sql = postgresInsertSql("app.errors");
  CHECK_THAT(sql, Catch::StartsWith("INSERT INTO \"app\".\"errors\" "));
  CHECK_THAT(sql, Catch::Contains("jsonb_array_elements($1::jsonb)"));
  const std::string ddl = postgresTableDdl("app.errors");
  CHECK_THAT(ddl, Catch::Contains("CREATE INDEX IF NOT EXISTS \"errors_service_ts_idx\" ON "
                                  "\"app\".\"errors\" (service, ts);"));
}

// A loopback port nothing listens on: bound, then closed.
int closedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_CASE("PostgresTransport: no server is retryable, and the reason hides the password",
          "[transports]") {
  boost::asio::io_context io;
  PostgresOptions o;
  o.dsn = "postgresql://homeo:hunter2@127.0.0.1:" + std::to_string(closedPort()) + "/errors";
  PostgresTransport t(io.get_executor(), o);
  std::optional<std::pair<SendResult, std::string>> sent;
  t.send(makeBatch(1, {R"({"message":"x"})"}),
         [&](SendResult r, std::string reason) { sent.emplace(r, std::move(reason)); });
  REQUIRE(runUntil(
      io, [&] { return sent.has_value(); }, std::chrono::seconds(10)));
  CHECK(sent->first == SendResult::kRetryable);
  CHECK_THAT(sent->second, Catch::Contains("connect to"));
  CHECK_THAT(sent->second, Catch::Contains("host=127.0.0.1"));
  CHECK_THAT(sent->second, Catch::Contains("password=***"));
  CHECK_THAT(sent->second, !Catch::Contains("hunter2"));
  t.stop();
}

TEST_CASE("PostgresTransport: a server that never answers times out as retryable", "[transports]") {
  // A listening socket nobody accepts on: the kernel completes the TCP handshake, then the
  // startup message waits for an answer that never comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);

  boost::asio::io_context io;
  PostgresOptions o;
  o.dsn = "host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) + " dbname=x";
  o.connect_timeout = std::chrono::milliseconds(300);
  PostgresTransport t(io.get_executor(), o);
  std::optional<std::pair<SendResult, std::string>> sent;
  const auto started = std::chrono::steady_clock::now();
  t.send(makeBatch(1, {R"({"message":"x"})"}),
         [&](SendResult r, std::string reason) { sent.emplace(r, std::move(reason)); });
  REQUIRE(runUntil(
      io, [&] { return sent.has_value(); }, std::chrono::seconds(10)));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(sent->first == SendResult::kRetryable);
  CHECK_THAT(sent->second, Catch::Contains("connect_timeout_ms (300 ms)"));
  CHECK(took >= std::chrono::milliseconds(250));
  CHECK(took < std::chrono::seconds(5));
  t.stop();
  ::close(fd);
}

TEST_CASE("postgres transport factory validates options and connects to nothing", "[transports]") {
  boost::asio::io_context io;
  const TransportContext ctx{io.get_executor(), "/tmp"};
  std::vector<config::Diagnostic> diags;
  const TransportFactory factory = postgresTransportFactory();
  CHECK(factory.type == "postgres");
  const std::string dsn = "postgresql://homeo:pw@127.0.0.1:1/errors";

  SECTION("valid, with defaults") {
    auto t = factory.create(ctx, makeTransportConfig("postgres", {{"dsn", dsn}}), diags);
    REQUIRE(t != nullptr);
    CHECK(diags.empty());
    auto& pg = dynamic_cast<PostgresTransport&>(*t);
    CHECK(pg.type() == "postgres");
    CHECK(pg.options().dsn == dsn);
    CHECK(pg.options().table == "error_records");
    CHECK(pg.options().create_table);
    CHECK(pg.options().connect_timeout == std::chrono::milliseconds(5000));
    CHECK(pg.options().timeout == std::chrono::milliseconds(30000));
  }
  SECTION("every option") {
    auto t = factory.create(ctx,
                            makeTransportConfig("postgres", {{"dsn", dsn},
                                                             {"table", "logs.app_errors"},
                                                             {"create_table", "false"},
                                                             {"connect_timeout_ms", "1500"},
                                                             {"timeout_ms", "2000"}}),
                            diags);
    REQUIRE(t != nullptr);
    auto& pg = dynamic_cast<PostgresTransport&>(*t);
    CHECK(pg.options().table == "logs.app_errors");
    CHECK_FALSE(pg.options().create_table);
    CHECK(pg.options().connect_timeout == std::chrono::milliseconds(1500));
    CHECK(pg.options().timeout == std::chrono::milliseconds(2000));
  }
  SECTION("missing dsn") {
    CHECK(factory.create(ctx, makeTransportConfig("postgres", {}), diags) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("dsn"));
  }
  SECTION("empty dsn") {
    CHECK(factory.create(ctx, makeTransportConfig("postgres", {{"dsn", ""}}), diags) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("must not be empty"));
  }
  SECTION("bad dsn") {
    CHECK(factory.create(ctx, makeTransportConfig("postgres", {{"dsn", "host=x colour=blue"}}),
                         diags) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("not a libpq connection string"));
    CHECK(diags[0].where.line == 3);
  }
  SECTION("bad table names") {
    for (const char* table : {"Errors", "a.b.c", "err ors", ".errors", "x;drop"}) {
      diags.clear();
      CHECK(factory.create(ctx, makeTransportConfig("postgres", {{"dsn", dsn}, {"table", table}}),
                           diags) == nullptr);
      REQUIRE(diags.size() == 1);
      CHECK_THAT(diags[0].message, Catch::Contains("table must be"));
    }
  }
  SECTION("timeouts out of range, create_table not a bool") {
    CHECK(factory.create(ctx,
                         makeTransportConfig("postgres", {{"dsn", dsn},
                                                          {"connect_timeout_ms", "0"},
                                                          {"timeout_ms", "soon"},
                                                          {"create_table", "maybe"}}),
                         diags) == nullptr);
    CHECK(diags.size() == 3);
  }
  SECTION("unknown key, and the password stays out of the diagnostics") {
    CHECK(factory.create(ctx, makeTransportConfig("postgres", {{"dsn", dsn}, {"path", "/x"}}),
                         diags) == nullptr);
    REQUIRE(diags.size() == 1);
    CHECK_THAT(diags[0].message, Catch::Contains("unknown key 'path'"));
    CHECK_THAT(diags[0].message, !Catch::Contains("pw"));
  }
}

TEST_CASE("The README shows the DDL the postgres transport runs", "[transports]") {
  std::ifstream in(std::string(HOMEO_TEST_DATA) + "/../../README.md");
  REQUIRE(in.good());
  std::ostringstream readme;
  readme << in.rdbuf();
  std::string ddl = postgresTableDdl("error_records");
  std::erase(ddl, '"');
  CHECK_THAT(readme.str(), Catch::Contains("```sql\n" + ddl + "```\n"));
}

}  // namespace
}  // namespace homeo
