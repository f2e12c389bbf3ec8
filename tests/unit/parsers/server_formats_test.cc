// Server and database logs of the format library: postgres, mysql_error, redis, w3c, uwsgi,
// tai64n and epoch prefixes, RFC 5424 without PRI, docker compose prefixes; and how
// detection tells them from the formats around them.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "parsers/container/container_unwrapper.h"
#include "parsers/parser_set.h"
#include "parsers/source_parser.h"
#include "parsers/trace.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {
namespace {

using test::num;
using test::parseAs;
using test::str;

ParserSet& shared() { return test::sharedBuiltinSet(); }

std::string detected(const std::vector<std::string_view>& lines) {
  const Detection d = detectFormat(shared(), lines);
  std::string out(d.parser->name());
  if (!d.container.empty()) out.append(" in ").append(d.container);
  return out;
}

// Runs lines through a SourceParser (detection, assembly, parsing) as the daemon does.
struct Run {
  std::vector<ErrorRecord> records;
  std::string format;
};

Run runSource(const std::vector<std::string>& lines, Level min_level = Level::kError) {
  Run run;
  SourceInfo info;
  info.min_level = min_level;
  SourceParser sp(shared(), info, [&](ErrorRecord& r) { run.records.push_back(r); });
  uint64_t off = 0;
  for (const auto& l : lines) {
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  run.format = sp.format() ? std::string(sp.format()->name()) : "";
  return run;
}

}  // namespace

TEST_CASE("postgres: severities, prefix fields, zone abbreviation", "[postgres]") {
  auto p = parseAs("postgres",
                   "2024-01-02 15:04:05.123 CEST [4242] app@shop ERROR:  relation \"orders\" "
                   "does not exist at character 15");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "relation \"orders\" does not exist at character 15");
  CHECK(num(p.record.context, "pid") == 4242);
  CHECK(str(p.record.context, "user") == "app");
  CHECK(str(p.record.context, "database") == "shop");
  CHECK(formatRfc3339(p.record.time) == "2024-01-02T13:04:05.123Z");
  CHECK(parseAs("postgres", "2024-01-02 15:04:05 UTC [1] FATAL:  the database system is down")
            .record.level == Level::kCritical);
  CHECK(parseAs("postgres", "2024-01-02 15:04:05.1 UTC [1] PANIC:  could not write to file")
            .record.level == Level::kCritical);
  CHECK(parseAs("postgres", "2024-01-02 15:04:05.1 UTC [1] WARNING:  nonstandard use of \\\\")
            .record.level == Level::kWarning);
  CHECK(parseAs("postgres", "2024-01-02 15:04:05.1 UTC [1] LOG:  checkpoint starting: time",
                Level::kError)
            .status == ParseStatus::kBelowLevel);
  CHECK(parseAs("postgres", "2024-01-02 15:04:05.1 UTC [1-1] DEBUG3:  x").record.level ==
        Level::kDebug);
  Parser* pg = shared().find("postgres");
  CHECK_FALSE(pg->startsEvent("2024-01-02 15:04:05 UTC [1] SELECT:  not a severity"));
  CHECK_FALSE(pg->startsEvent("2024-01-02 15:04:05 ERROR something else"));
}

TEST_CASE("postgres: DETAIL, HINT and a multi-line STATEMENT join their entry", "[postgres]") {
  const std::vector<std::string> lines = {
      "2024-01-02 15:04:05.100 UTC [7] LOG:  connection received: host=10.0.0.4 port=5544",
      "2024-01-02 15:04:05.200 UTC [7] ERROR:  duplicate key value violates unique constraint "
      "\"users_email_key\"",
      "2024-01-02 15:04:05.200 UTC [7] DETAIL:  Key (email)=(a@b.c) already exists.",
      "2024-01-02 15:04:05.200 UTC [7] HINT:  Use ON CONFLICT.",
      "2024-01-02 15:04:05.200 UTC [7] STATEMENT:  INSERT INTO users (email)",
      "\t    VALUES ('a@b.c')",
      "",
      "2024-01-02 15:04:06.000 UTC [8] FATAL:  password authentication failed for user \"bob\"",
      "2024-01-02 15:04:06.000 UTC [8] DETAIL:  Connection matched pg_hba.conf line 90",
      "2024-01-02 15:04:07.000 UTC [9] LOG:  disconnection: session time: 0:00:01.001",
  };
  const Run run = runSource(lines);
  CHECK(run.format == "postgres");
  REQUIRE(run.records.size() == 2);
  const ErrorRecord& e = run.records[0];
  CHECK(e.level == Level::kError);
  CHECK(e.message == "duplicate key value violates unique constraint \"users_email_key\"");
  CHECK(str(e.context, "detail") == "Key (email)=(a@b.c) already exists.");
  CHECK(str(e.context, "hint") == "Use ON CONFLICT.");
  CHECK(str(e.context, "statement") == "INSERT INTO users (email)\nVALUES ('a@b.c')");
  CHECK(run.records[1].level == Level::kCritical);
  CHECK(str(run.records[1].context, "detail") == "Connection matched pg_hba.conf line 90");
}

TEST_CASE("mysql_error: 8.0, 5.7, 5.5 and MariaDB layouts", "[mysql]") {
  auto p = parseAs("mysql_error",
                   "2024-01-02T15:04:05.123456Z 12 [ERROR] [MY-010055] [Server] Unknown "
                   "database 'shop'");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "Unknown database 'shop'");
  CHECK(p.record.module == "Server");
  CHECK(str(p.record.context, "error_code") == "MY-010055");
  CHECK(num(p.record.context, "thread_id") == 12);
  CHECK(formatRfc3339(p.record.time) == "2024-01-02T15:04:05.123456Z");
  auto w = parseAs("mysql_error",
                   "2024-01-02T15:04:05.000001Z 0 [Warning] TIMESTAMP with implicit DEFAULT");
  CHECK(w.record.level == Level::kWarning);
  CHECK(w.record.message == "TIMESTAMP with implicit DEFAULT");
  auto maria =
      parseAs("mysql_error", "2024-01-02 15:04:05 140234 [ERROR] InnoDB: Unable to lock ./ibdata1");
  CHECK(maria.record.level == Level::kError);
  CHECK(maria.record.module == "InnoDB");
  CHECK(maria.record.message == "Unable to lock ./ibdata1");
  auto old = parseAs("mysql_error", "240102  9:04:05 [ERROR] mysqld: Table 'x' is marked crashed");
  CHECK(old.record.level == Level::kError);
  CHECK(formatRfc3339(old.record.time).substr(0, 10) == "2024-01-02");
  CHECK(parseAs("mysql_error", "2024-01-02T15:04:05Z 0 [System] [MY-010931] [Server] ready",
                Level::kError)
            .status == ParseStatus::kBelowLevel);
  CHECK(parseAs("mysql_error", "2024-01-02T15:04:05Z 0 [Note] ready").record.level == Level::kInfo);
}

TEST_CASE("redis: marks are levels, pid and role to context", "[redis]") {
  auto p = parseAs("redis",
                   "1:M 02 Jan 2024 15:04:05.123 # Short read or OOM loading DB. Unrecoverable");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kWarning);
  CHECK(p.record.message == "Short read or OOM loading DB. Unrecoverable");
  CHECK(num(p.record.context, "pid") == 1);
  CHECK(str(p.record.context, "role") == "M");
  CHECK(formatRfc3339(p.record.time).substr(0, 19) == "2024-01-02T15:04:05");
  CHECK(parseAs("redis", "[7:C] 02 Jan 2024 15:04:05.123 * DB saved on disk").record.level ==
        Level::kInfo);
  CHECK(parseAs("redis", "[4242] 02 Jan 15:04:05.123 . client closed").record.level ==
        Level::kDebug);
  CHECK(parseAs("redis", "1:S 02 Jan 2024 15:04:05.123 * ok", Level::kWarning).status ==
        ParseStatus::kBelowLevel);
  Parser* r = shared().find("redis");
  CHECK_FALSE(r->startsEvent("1:M 02 Jan 2024 15:04:05.123 ! unknown mark"));
  CHECK_FALSE(r->startsEvent("12 02 Jan 2024 15:04:05.123 * no role"));
}

TEST_CASE("w3c: IIS request lines, 5xx is an error", "[w3c]") {
  auto p = parseAs("w3c",
                   "2024-01-02 15:04:05 10.0.0.1 POST /api/pay id=7 443 - 10.0.0.9 "
                   "Mozilla/5.0+(X11) https://shop/ 500 19 64 31");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "POST /api/pay -> 500");
  CHECK(str(p.record.request_info, "method") == "POST");
  CHECK(str(p.record.request_info, "path") == "/api/pay");
  const JsonValue* query = findField(p.record.request_info, "query");
  REQUIRE(query != nullptr);
  std::string query_json;
  appendJson(query_json, *query);
  CHECK(query_json == "{\"id\":\"7\"}");
  CHECK(str(p.record.request_info, "client_ip") == "10.0.0.9");
  CHECK(num(p.record.response_info, "status_code") == 500);
  CHECK(num(p.record.response_info, "substatus") == 19);
  CHECK(formatRfc3339(p.record.time) == "2024-01-02T15:04:05Z");
  // Another field order: the status is the first three-digit number after the path.
  auto q = parseAs("w3c",
                   "10.1.1.1 - - 2024-01-02 15:04:05 GET /a.gif 503 350 \"sid=1\" \"Mozilla/4.5\"");
  CHECK(q.record.level == Level::kError);
  CHECK(num(q.record.response_info, "status_code") == 503);
  CHECK(parseAs("w3c", "2024-01-02 15:04:05 ::1 GET / - 80 - ::1 curl - 404 0 2 5").record.level ==
        Level::kWarning);
  CHECK(parseAs("w3c", "2024-01-02 15:04:05 ::1 GET / - 80 - ::1 curl - 200 0 0 5", Level::kError)
            .status == ParseStatus::kBelowLevel);
  CHECK(parseAs("w3c", "#Fields: date time cs-method cs-uri-stem sc-status", Level::kInfo).status ==
        ParseStatus::kBelowLevel);
}

TEST_CASE("uwsgi: request lines with status, size and duration", "[uwsgi]") {
  auto p = parseAs("uwsgi",
                   "[pid: 4242|app: 0|req: 3/9] 10.0.0.5 () {38 vars in 696 bytes} [Tue Jan  2 "
                   "15:04:05 2024] POST /api/pay => generated 47 bytes in 129 msecs (HTTP/1.1 "
                   "502) 9 headers in 378 bytes (1 switches on core 3)");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "POST /api/pay -> 502");
  CHECK(str(p.record.request_info, "client_ip") == "10.0.0.5");
  CHECK(str(p.record.request_info, "protocol") == "HTTP/1.1");
  CHECK(num(p.record.response_info, "status_code") == 502);
  CHECK(num(p.record.response_info, "size_bytes") == 47);
  CHECK(num(p.record.context, "pid") == 4242);
  const JsonValue* ms = findField(p.record.request_info, "duration_ms");
  REQUIRE(ms != nullptr);
  CHECK(std::get<double>(ms->storage()) == Approx(129.0));
  CHECK(formatRfc3339(p.record.time).substr(0, 19) == "2024-01-02T15:04:05");
  CHECK(parseAs("uwsgi",
                "[pid: 1|app: 0|req: 1/1] 1.2.3.4 () {2 vars in 9 bytes} [Tue Jan  2 15:04:05 "
                "2024] GET / => generated 5 bytes in 68 micros (HTTP/1.1 200) 2 headers in 9 "
                "bytes (1 switches on core 0)",
                Level::kError)
            .status == ParseStatus::kBelowLevel);
}

TEST_CASE("tai64n and epoch: the prefix gives the time, the rest is text", "[stamped]") {
  // 2024-01-02T15:04:05Z is 1704207845; TAI64 adds 2^62 + 10.
  auto t = parseAs("tai64n", "@40000000659425ef0000007b qmail: FATAL: unable to bind port 25");
  REQUIRE(t.status == ParseStatus::kRecord);
  CHECK(t.record.level == Level::kCritical);
  CHECK(t.record.time == 1704207845000000123LL);
  CHECK(formatRfc3339(t.record.time) == "2024-01-02T15:04:05Z");  // records carry microseconds
  CHECK(parseAs("tai64n", "@40000000659425ef0000007b tcpserver: status: 1/30", Level::kError)
            .status == ParseStatus::kBelowLevel);
  auto e = parseAs("epoch", "1704207845123 ERROR cache: miss storm");
  CHECK(e.record.level == Level::kError);
  CHECK(formatRfc3339(e.record.time) == "2024-01-02T15:04:05.123Z");
  CHECK(formatRfc3339(parseAs("epoch", "1704207845.5 WARN slow").record.time) ==
        "2024-01-02T15:04:05.500Z");
  Parser* ep = shared().find("epoch");
  CHECK_FALSE(ep->startsEvent("12345 not a time"));
  CHECK_FALSE(ep->startsEvent("1704207845123"));
}

TEST_CASE("syslog: RFC 5424 without PRI", "[syslog]") {
  auto p = parseAs("syslog",
                   "2024-01-02T15:04:05.123Z web01 nginx 4242 ID47 [meta seq=\"1\"] upstream "
                   "timed out");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.module == "nginx");
  CHECK(p.record.message == "upstream timed out");
  CHECK(str(p.record.context, "syslog_host") == "web01");
  auto n = parseAs("syslog", "2024-01-02T15:04:05+02:00 web01 CRON 20856 - - (root) CMD (x)");
  CHECK(n.record.module == "CRON");
  CHECK(n.record.message == "(root) CMD (x)");
  Parser* s = shared().find("syslog");
  CHECK_FALSE(s->startsEvent("2024-01-02T15:04:05Z web01 app started with four words"));
}

TEST_CASE("container: docker compose prefixes are unwrapped", "[container][compose]") {
  using K = ContainerUnwrapper::Kind;
  CHECK(ContainerUnwrapper::classify("web-1  | hello") == K::kCompose);
  CHECK(ContainerUnwrapper::classify("\x1b[2Kredis-1  | 1:M 02 Jan") == K::kCompose);
  CHECK(ContainerUnwrapper::classify("\x1b[36mapi_1 |\x1b[0m started") == K::kCompose);
  CHECK(ContainerUnwrapper::classify("2024-01-01 10:00:00 | INFO | x") == K::kNone);
  CHECK(ContainerUnwrapper::classify("a|b") == K::kNone);
  const std::vector<std::string> lines = {
      "web-1    |  * Serving Flask app 'app.py'",
      "redis-1  | 1:M 02 Jan 2024 15:04:05.123 * Server initialized",
      "redis-1  | 2024-01-02T15:04:05.123456789Z 1:M 02 Jan 2024 15:04:05.123 # Can't save in "
      "background: fork: Cannot allocate memory",
      "redis-1  | 1:M 02 Jan 2024 15:04:06.123 * Ready to accept connections tcp",
  };
  const Run run = runSource(lines, Level::kWarning);
  CHECK(run.format == "redis");
  REQUIRE(run.records.size() == 1);
  CHECK(run.records[0].message == "Can't save in background: fork: Cannot allocate memory");
  std::vector<std::string_view> views(lines.begin(), lines.end());
  CHECK(detected(views) == "redis in compose");
}

TEST_CASE("detection tells the server formats apart", "[detect]") {
  CHECK(
      detected({"2024-01-02 15:04:05.1 UTC [1] LOG:  a", "2024-01-02 15:04:05.2 UTC [1] ERROR:  b",
                "2024-01-02 15:04:05.2 UTC [1] STATEMENT:  SELECT 1"}) == "postgres");
  CHECK(detected({"2024-01-02T15:04:05.1Z 0 [Note] [MY-1] [Server] a",
                  "2024-01-02T15:04:05.2Z 5 [ERROR] [MY-2] [InnoDB] b"}) == "mysql_error");
  CHECK(detected({"1:C 02 Jan 2024 15:04:05.123 * a", "1:M 02 Jan 2024 15:04:05.124 # b"}) ==
        "redis");
  CHECK(detected({"#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
                  "#Fields: date time s-ip cs-method cs-uri-stem sc-status",
                  "2024-01-02 15:04:05 ::1 GET / - 80 - ::1 curl - 200 0 0 5"}) == "w3c");
  CHECK(detected({"@40000000659425ef0000007b a: b", "@40000000659425f00000007b a: c"}) == "tai64n");
  CHECK(detected({"1704207845123 hello", "1704207846123 world"}) == "epoch");
  CHECK(detected({"2024-01-02T15:04:05Z h app 1 - - a", "2024-01-02T15:04:06Z h app 1 - - b"}) ==
        "syslog");
  // The formats around them keep their own.
  CHECK(detected({"2024-01-01 10:00:00 [INFO] a", "2024-01-01 10:00:01 [ERROR] b"}) == "generic");
  CHECK(detected({"2024-01-01 10:00:00,000 - app - INFO - a",
                  "2024-01-01 10:00:01,000 - app - ERROR - b"}) == "python");
}

TEST_CASE("server formats survive truncated and odd lines", "[fuzzish]") {
  const std::string_view samples[] = {
      "2024-01-02 15:04:05.123 CEST [4242] app@shop ERROR:  x",
      "2024-01-02T15:04:05.123456Z 12 [ERROR] [MY-010055] [Server] x",
      "240102  9:04:05 [ERROR] x",
      "[7:C] 02 Jan 2024 15:04:05.123 * x",
      "2024-01-02 15:04:05 10.0.0.1 POST /api/pay id=7 443 - 10.0.0.9 M https:// 500 19 64 31",
      "#Fields: x",
      "[pid: 1|app: 0|req: 1/1] 1.2.3.4 () {2 vars in 9 bytes} [Tue Jan  2 15:04:05 2024] GET / "
      "=> generated 5 bytes in 68 micros (HTTP/1.1 200)",
      "@40000000659425ef0000007b a: b",
      "1704207845.5 x",
      "2024-01-02T15:04:05.123Z web01 nginx 4242 ID47 [meta seq=\"1\"] x"};
  for (const char* name :
       {"postgres", "mysql_error", "redis", "w3c", "uwsgi", "tai64n", "epoch", "syslog"}) {
    Parser* p = shared().find(name);
    REQUIRE(p != nullptr);
    for (std::string_view s : samples) {
      for (size_t n = 0; n <= s.size(); ++n) {
        const std::string_view line = s.substr(0, n);
        (void)p->probe(line);
        (void)p->startsEvent(line);
        std::vector<std::string_view> lines{line};
        ErrorRecord r;
        const ParseStatus st = p->parse(LogEvent{lines, 0}, Level::kDebug, r);
        CHECK((st == ParseStatus::kRecord || st == ParseStatus::kNotMatched ||
               st == ParseStatus::kBelowLevel));
      }
    }
  }
  for (std::string_view s : samples) {
    for (size_t n = 0; n <= s.size(); ++n) (void)ContainerUnwrapper::classify(s.substr(0, n));
  }
}

}  // namespace homeo
