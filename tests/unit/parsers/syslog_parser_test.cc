#include "parsers/syslog/syslog_parser.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/record.h"
#include "common/timeutil.h"

namespace homeo {
namespace {

struct Parsed {
  ParseStatus status;
  ErrorRecord record;
};

Parsed parseLines(SyslogParser& parser, std::vector<std::string_view> lines,
                  Level min_level = Level::kError) {
  LogEvent event{lines, 0};
  Parsed p{ParseStatus::kNotMatched, {}};
  p.status = parser.parse(event, min_level, p.record);
  return p;
}

Parsed parseLine(SyslogParser& parser, std::string_view line, Level min_level = Level::kError) {
  return parseLines(parser, {line}, min_level);
}

std::string stringField(const JsonObject& obj, std::string_view key) {
  const JsonValue* v = findField(obj, key);
  if (v == nullptr || !v->isString()) return "<missing>";
  return *v->asString();
}

UnixNanos utc(int y, int mo, int d, int h, int mi, int s, int64_t nanos = 0, int32_t offset = 0) {
  CivilTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = s;
  t.nanos = nanos;
  t.utc_offset = offset;
  return toUnixNanos(t);
}

// A time written without a zone: read in the host's zone.
UnixNanos localTime(int y, int mo, int d, int h, int mi, int s) {
  CivilTime t;
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = s;
  return toUnixNanos(t);
}

}  // namespace

TEST_CASE("syslog: RFC 5424 with structured data", "[syslog]") {
  SyslogParser parser;
  // <163> = local4 (20) * 8 + err (3).
  const std::string_view line =
      "<163>1 2024-03-02T10:11:12.003Z web-7.example.net payments 4123 TXFAIL "
      "[meta@32473 region=\"eu-west\" retry=\"2\"][origin ip=\"10.0.0.5\" note=\"a \\\"q\\\" "
      "\\]b\"] charge failed for order 991";
  CHECK(parser.probe(line) == 95);
  CHECK(parser.startsEvent(line));
  const auto p = parseLine(parser, line);
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);
  CHECK(p.record.message == "charge failed for order 991");
  CHECK(p.record.module == "payments");
  CHECK(p.record.time == utc(2024, 3, 2, 10, 11, 12, 3'000'000));
  CHECK(stringField(p.record.context, "syslog_host") == "web-7.example.net");
  CHECK(stringField(p.record.context, "syslog_pid") == "4123");
  CHECK(stringField(p.record.context, "syslog_msgid") == "TXFAIL");
  CHECK(stringField(p.record.context, "syslog_facility") == "local4");
  const JsonValue* sd = findField(p.record.context, "structured_data");
  REQUIRE(sd != nullptr);
  REQUIRE(sd->isObject());
  std::string rendered;
  appendJson(rendered, *sd);
  CHECK(rendered == R"({"meta@32473":{"region":"eu-west","retry":"2"},"origin":{"ip":"10.0.0.5",)"
                    R"("note":"a \"q\" ]b"}})");
}

TEST_CASE("syslog: RFC 5424 nil values and BOM", "[syslog]") {
  SyslogParser parser;
  SECTION("all nil") {
    const auto p = parseLine(parser, "<11>1 - - - - - - boom");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.message == "boom");
    CHECK(p.record.module.empty());
    CHECK(p.record.time == 0);
    CHECK(findField(p.record.context, "syslog_host") == nullptr);
    CHECK(findField(p.record.context, "structured_data") == nullptr);
    CHECK(stringField(p.record.context, "syslog_facility") == "user");
  }
  SECTION("BOM before the message, offset time") {
    const auto p = parseLine(parser,
                             "<10>1 2024-03-02T10:11:12+02:00 h app - - - \xEF\xBB\xBF"
                             "disk gone");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kCritical);
    CHECK(p.record.message == "disk gone");
    CHECK(p.record.time == utc(2024, 3, 2, 8, 11, 12));
    CHECK(findField(p.record.context, "syslog_pid") == nullptr);
  }
  SECTION("a year UnixNanos cannot hold") {
    const auto p = parseLine(parser, "<11>1 0001-01-01T00:00:00Z h app - - - x");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.time == 0);
  }
  SECTION("no message") {
    const auto p = parseLine(parser, "<11>1 - host app - -");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.message.empty());
    CHECK(p.record.module == "app");
  }
}

TEST_CASE("syslog: RFC 3164 with PRI", "[syslog]") {
  SyslogParser parser;
  const std::string_view line =
      "<11>Mar  2 10:11:12 db-1 postgres[2211]: FATAL:  could not open file";
  CHECK(parser.probe(line) == 95);
  const auto p = parseLine(parser, line);
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kError);  // the PRI decides, not the text
  CHECK(p.record.module == "postgres");
  CHECK(p.record.message == "FATAL:  could not open file");
  CHECK(p.record.time != 0);
  CHECK(stringField(p.record.context, "syslog_host") == "db-1");
  CHECK(stringField(p.record.context, "syslog_pid") == "2211");
  CHECK(stringField(p.record.context, "syslog_facility") == "user");

  SECTION("variants") {
    // No host name.
    auto q = parseLine(parser, "<35>Oct 11 22:14:15 su: 'su root' failed for lonvick");
    REQUIRE(q.status == ParseStatus::kRecord);
    CHECK(q.record.module == "su");
    CHECK(q.record.message == "'su root' failed for lonvick");
    CHECK(findField(q.record.context, "syslog_host") == nullptr);
    CHECK(stringField(q.record.context, "syslog_facility") == "auth");
    // Year before the time (Cisco), colon after the time.
    q = parseLine(parser, "<187>Jan  6 2023 15:22:26: edge-rtr %LINK-3-UPDOWN: down");
    REQUIRE(q.status == ParseStatus::kRecord);
    CHECK(q.record.time == localTime(2023, 1, 6, 15, 22, 26));
    CHECK(q.record.module == "%LINK-3-UPDOWN");
    CHECK(q.record.message == "down");
    CHECK(stringField(q.record.context, "syslog_facility") == "local7");
    // RFC 3339 timestamp after the PRI.
    q = parseLine(parser, "<11>2024-03-02T10:11:12Z h1 app: m");
    REQUIRE(q.status == ParseStatus::kRecord);
    CHECK(q.record.time == utc(2024, 3, 2, 10, 11, 12));
    CHECK(q.record.module == "app");
    // No tag.
    q = parseLine(parser, "<11>Feb 18 16:01:59 serverX -- MARK --");
    REQUIRE(q.status == ParseStatus::kRecord);
    CHECK(q.record.module.empty());
    CHECK(q.record.message == "-- MARK --");
    // A PRI without a timestamp: still syslog, less surely.
    CHECK(parser.probe("<11>something broke") == 30);
    q = parseLine(parser, "<11>something broke");
    REQUIRE(q.status == ParseStatus::kRecord);
    CHECK(q.record.message == "something broke");
  }
}

TEST_CASE("syslog: severity mapping", "[syslog]") {
  SyslogParser parser;
  auto levelOf = [&](int pri) {
    const std::string line = "<" + std::to_string(pri) + ">Mar  2 10:11:12 h app[1]: msg";
    const auto p = parseLine(parser, line, Level::kDebug);
    REQUIRE(p.status == ParseStatus::kRecord);
    return p.record.level;
  };
  CHECK(levelOf(8) == Level::kCritical);   // emerg
  CHECK(levelOf(9) == Level::kCritical);   // alert
  CHECK(levelOf(10) == Level::kCritical);  // crit
  CHECK(levelOf(11) == Level::kError);     // err
  CHECK(levelOf(12) == Level::kWarning);   // warning
  CHECK(levelOf(13) == Level::kInfo);      // notice
  CHECK(levelOf(14) == Level::kInfo);      // info
  CHECK(levelOf(15) == Level::kDebug);     // debug
  CHECK(levelOf(0) == Level::kCritical);
  CHECK(levelOf(191) == Level::kDebug);

  CHECK(parseLine(parser, "<14>Mar  2 10:11:12 h app[1]: fine").status == ParseStatus::kBelowLevel);
  CHECK(parseLine(parser, "<12>1 - h app - - - careful").status == ParseStatus::kBelowLevel);
  CHECK(parseLine(parser, "<12>1 - h app - - - careful", Level::kWarning).status ==
        ParseStatus::kRecord);
}

TEST_CASE("syslog: lines as rsyslog writes them to files", "[syslog]") {
  SyslogParser parser;
  SECTION("traditional timestamp") {
    const std::string_view line = "Mar  2 10:11:12 web-1 nginx[901]: error: upstream timed out";
    CHECK(parser.probe(line) == 70);
    CHECK(parser.startsEvent(line));
    const auto p = parseLine(parser, line);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.module == "nginx");
    CHECK(p.record.message == "error: upstream timed out");
    CHECK(stringField(p.record.context, "syslog_host") == "web-1");
    CHECK(stringField(p.record.context, "syslog_pid") == "901");
    CHECK(findField(p.record.context, "syslog_facility") == nullptr);
    CHECK(p.record.time != 0);
  }
  SECTION("RFC 3339 timestamp") {
    const std::string_view line =
        "2024-03-02T10:11:12.123456+01:00 web-1 sshd[812]: error: kex_exchange_identification: "
        "Connection closed by remote host";
    CHECK(parser.probe(line) == 70);
    const auto p = parseLine(parser, line);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.module == "sshd");
    CHECK(p.record.time == utc(2024, 3, 2, 9, 11, 12, 123'456'000));
  }
  SECTION("level words in the message") {
    auto levelOf = [&](std::string_view msg) {
      const std::string line = "Mar  2 10:11:12 web-1 app[3]: " + std::string(msg);
      const auto p = parseLine(parser, line, Level::kDebug);
      REQUIRE(p.status == ParseStatus::kRecord);
      return p.record.level;
    };
    CHECK(levelOf("[error] boom") == Level::kError);
    CHECK(levelOf("<err> boom") == Level::kError);
    CHECK(levelOf("ERROR boom") == Level::kError);
    CHECK(levelOf("error opening /dev/sda") == Level::kError);
    CHECK(levelOf("fatal: repository not found") == Level::kCritical);
    CHECK(levelOf("critical: temperature") == Level::kCritical);
    CHECK(levelOf("panic: nil map") == Level::kCritical);
    CHECK(levelOf("warning: low disk") == Level::kWarning);
    CHECK(levelOf("level=error msg=boom") == Level::kError);
    CHECK(levelOf("Started Session 5 of user root.") == Level::kInfo);
    CHECK(levelOf("an error occurred somewhere") == Level::kInfo);
    CHECK(parseLine(parser, "Mar  2 10:11:12 web-1 CRON[55]: (root) CMD (run-parts)").status ==
          ParseStatus::kBelowLevel);
  }
  SECTION("no tag") { CHECK(parser.probe("Feb 18 16:01:59 serverX -- MARK --") == 40); }
}

TEST_CASE("syslog: continuation lines", "[syslog]") {
  SyslogParser parser;
  SECTION("a traceback") {
    const auto p = parseLines(parser, {"<11>Mar  2 10:11:12 h worker[7]: job failed",
                                       "Traceback (most recent call last):",
                                       "  File \"/app/x.py\", line 3, in f", "KeyError: 'k'"});
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK_FALSE(p.record.traceback.empty());
  }
  SECTION("a traceback escaped by rsyslog (#012)") {
    const auto p =
        parseLine(parser,
                  "Mar  2 10:11:12 h worker[7]: ERROR job failed#012Traceback (most "
                  "recent call last):#012  File \"/app/x.py\", line 3, in f#012KeyError: 'k'");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.message.find("#012") == std::string::npos);
    CHECK(p.record.message.find("ERROR job failed") == 0);
    CHECK_FALSE(p.record.traceback.empty());
  }
  SECTION("#ooo that is not a control character stays") {
    const auto p = parseLine(parser, "<11>Mar  2 10:11:12 h app: see issue #123#012second line");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.message == "see issue #123\nsecond line");
  }
  SECTION("a multi-line message") {
    const auto p = parseLines(parser, {"<11>Mar  2 10:11:12 h worker[7]: first", "second"});
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.message.find("first") == 0);
  }
}

TEST_CASE("syslog: lines that are not syslog", "[syslog]") {
  SyslogParser parser;
  const std::string junk("\x00\xff<\x01>\x02", 6);
  for (std::string_view line : std::vector<std::string_view>{
           "", "hello world", "<", "<12", "<>1 - - - - - -", "<999>1 - - - - - -",
           "<002>1 - - - - - -", "<abc>Mar  2 10:11:12 h a: m", "Mar  2 foo bar", "Mar  2 10:11:12",
           "2024-03-02 10:11:12 ERROR app: failed", "2024-03-02T10:11:12Z ERROR app: failed",
           "2024-03-02T10:11:12Z host no tag here", "May 20 14:30:22 WARN: something",
           R"({"level":"error"})", "  File \"/app/x.py\", line 3, in f", junk}) {
    INFO(line);
    CHECK(parser.probe(line) == 0);
    CHECK_FALSE(parser.startsEvent(line));
    CHECK(parseLine(parser, line, Level::kDebug).status == ParseStatus::kNotMatched);
  }
  // Truncated headers do not crash and are not taken.
  CHECK(parseLine(parser, "<11>1 2024-03-02T10:11:12Z host", Level::kDebug).status ==
        ParseStatus::kNotMatched);
  ErrorRecord r;
  CHECK(parser.parse(LogEvent{}, Level::kDebug, r) == ParseStatus::kNotMatched);
}

TEST_CASE("syslog: every prefix of valid lines is safe", "[syslog]") {
  SyslogParser parser;
  for (std::string_view line :
       {std::string_view("<163>1 2024-03-02T10:11:12.003Z h a 1 M [x@1 k=\"v\\\"\"] msg"),
        std::string_view("<11>Jan  6 2023 15:22:26.123: edge %LINK-3: down"),
        std::string_view("2024-03-02T10:11:12.123+01:00 h a[1]: error: x")}) {
    for (size_t n = 0; n <= line.size(); ++n) {
      const std::string copy(line.substr(0, n));  // exact-size buffer for ASan
      (void)parser.probe(copy);
      (void)parseLine(parser, copy, Level::kDebug);
    }
  }
  SUCCEED();
}

TEST_CASE("syslog: factory", "[syslog]") {
  auto parser = makeSyslogParser();
  REQUIRE(parser != nullptr);
  CHECK(parser->name() == "syslog");
}

}  // namespace homeo
