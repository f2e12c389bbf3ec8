#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "parsers/homeostasis/homeostasis_parser.h"
#include "parsers/source_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {
namespace {

using test::num;
using test::parseAs;
using test::sharedBuiltinSet;
using test::str;

// Lines as Homeostasis' MonitoringLogger writes them to logs/homeostasis.log: logging's
// "%(asctime)s - %(name)s - %(levelname)s - %(message)s", the message json.dumps of its record.
constexpr std::string_view kInfoLine =
    R"(2024-03-02 10:11:12,101 - homeostasis.shop-api - INFO - {"timestamp": )"
    R"("2024-03-02T10:11:12.101338", "service": "shop-api", "level": "INFO", "message": )"
    R"("Service started", "system_info": {"hostname": "app-7", "os_name": "posix"}, "port": 8000})";

constexpr std::string_view kExceptionLine =
    R"(2024-03-02 10:11:12,925 - homeostasis.shop-api - ERROR - {"timestamp": )"
    R"("2024-03-02T10:11:12.925456", "service": "shop-api", "level": "ERROR", "message": )"
    R"("Failed to load user", "system_info": {"hostname": "app-7", "os_name": "posix", )"
    R"("platform": "Linux-6.1.0-x86_64-with-glibc2.36", "python_version": "3.11.7", )"
    R"("processor": "unknown", "architecture": "64bit", "service_name": "shop-api", )"
    R"("environment_variables": {"LANG": "C.UTF-8"}}, "call_location": {"file": )"
    R"("/srv/shop/api.py", "function": "show_user", "line_number": 51}, "error_details": )"
    R"({"exception_type": "KeyError", "message": "'user_id'", "traceback": ["Traceback (most )"
    R"(recent call last):\n", "  File \"/srv/shop/users.py\", line 9, in get_user\n    return )"
    R"(users[user_id]\n           ~~~~~^^^^^^^^^\n", "KeyError: 'user_id'\n"], )"
    R"("detailed_frames": [{"file": "/srv/shop/users.py", "line": 9, "function": "get_user", )"
    R"("locals": {"users": "{}", "user_id": "user_id"}}], "error_id": )"
    R"("KeyError-20240302101112-140072514904288", "occured_at": "2024-03-02T10:11:12.925440"}, )"
    R"("tags": ["api"]})";

// MonitoringLogger.error("...") without an exception, and without a timestamp of its own (a
// record built by hand).
constexpr std::string_view kErrorLine =
    R"(2024-03-02 10:11:13,500 - homeostasis.billing - ERROR - {"service": "billing", )"
    R"("level": "ERROR", "message": "payment gateway refused card", "context": {"order": 5}})";

std::vector<std::string_view> linesOf(std::string_view text) {
  std::vector<std::string_view> lines;
  splitLines(text, lines);
  return lines;
}

}  // namespace

TEST_CASE("homeostasis: its logger's exception line is the record it carries", "[homeostasis]") {
  setLocalZone("UTC");
  const auto p = parseAs("homeostasis", kExceptionLine);
  setLocalZone("");
  REQUIRE(p.status == ParseStatus::kRecord);
  const ErrorRecord& r = p.record;
  CHECK(r.level == Level::kError);
  CHECK(r.service == "shop-api");
  // The record's own time (microseconds), not the header's milliseconds.
  CHECK(formatRfc3339(r.time) == "2024-03-02T10:11:12.925456Z");
  CHECK(r.module == "homeostasis.shop-api");
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "'user_id'");
  CHECK(r.error_id == "KeyError-20240302101112-140072514904288");
  CHECK(r.language == "python");
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames[0].function == "get_user");
  CHECK(r.frames[0].line == 9);
  REQUIRE(r.frames[0].extra.size() == 1);
  CHECK(r.frames[0].extra[0].first == "locals");
  CHECK(r.traceback.back() == "KeyError: 'user_id'");
  CHECK(r.tags == std::vector<std::string>{"api"});
  CHECK(str(r.system_info, "python_version") == "3.11.7");
  CHECK(findField(r.extra, "call_location") != nullptr);
  CHECK(str(r.details_extra, "occured_at") == "2024-03-02T10:11:12.925440");
  CHECK(str(r.context, "log_message") == "Failed to load user");
  // Its own lines leave metadata.format to the source: the format's name.
  CHECK(r.format.empty());
}

TEST_CASE("homeostasis: the header gives the time and module a record lacks", "[homeostasis]") {
  setLocalZone("UTC");
  const auto p = parseAs("homeostasis", kErrorLine);
  setLocalZone("");
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.service == "billing");
  CHECK(p.record.message == "payment gateway refused card");
  CHECK(formatRfc3339(p.record.time) == "2024-03-02T10:11:13.500Z");
  CHECK(p.record.module == "homeostasis.billing");
  CHECK(num(p.record.context, "order") == 5);
  CHECK(p.record.error_id.empty());  // ours is given by the source
}

TEST_CASE("homeostasis: lines below the level are judged by their header alone", "[homeostasis]") {
  CHECK(parseAs("homeostasis", kInfoLine, Level::kError).status == ParseStatus::kBelowLevel);
  // Not even the JSON is read: a broken one is still below the level.
  CHECK(parseAs("homeostasis",
                R"(2024-03-02 10:11:12,101 - homeostasis.shop-api - INFO - {"timest)",
                Level::kError)
            .status == ParseStatus::kBelowLevel);
  const auto p = parseAs("homeostasis", kInfoLine, Level::kDebug);
  REQUIRE(p.status == ParseStatus::kRecord);
  CHECK(p.record.level == Level::kInfo);
  CHECK(p.record.message == "Service started");
  CHECK(num(p.record.context, "port") == 8000);
}

TEST_CASE("homeostasis: other lines of its files are read as their formats read them",
          "[homeostasis]") {
  SECTION("a plain Python logging line with its traceback") {
    const auto p = parseAs("homeostasis",
                           "2024-03-02 10:11:14,000 - shop.worker - ERROR - job failed\n"
                           "Traceback (most recent call last):\n"
                           "  File \"/srv/shop/worker.py\", line 12, in run\n"
                           "    total = order['total']\n"
                           "KeyError: 'total'");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.format == "python");
    CHECK(p.record.exception_type == "KeyError");
    CHECK(p.record.module == "shop.worker");
    CHECK(str(p.record.context, "log_message") == "job failed");
  }
  SECTION("a record written as a JSON line of its own") {
    const std::string_view line = kExceptionLine.substr(kExceptionLine.find('{'));
    const auto p = parseAs("homeostasis", line);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.format == "json");
    CHECK(p.record.error_id == "KeyError-20240302101112-140072514904288");
    CHECK(p.record.service == "shop-api");
  }
  SECTION("JSON logged as text is not a record: the line stays Python's") {
    const auto p = parseAs(
        "homeostasis", R"(2024-03-02 10:11:14,000 - shop.api - ERROR - {"order": 5, "ok": false})");
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.format == "python");
    CHECK(p.record.message == R"({"order": 5, "ok": false})");
  }
  SECTION("a record cut short (a line past max_line_bytes) is read as text, not lost") {
    const std::string cut(kExceptionLine.substr(0, kExceptionLine.find("3.11.7")));
    const auto p = parseAs("homeostasis", cut);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.format == "python");
    CHECK(p.record.level == Level::kError);
    CHECK(p.record.message == cut.substr(cut.find('{')));
  }
  SECTION("a traceback logging appended to its line") {
    const std::string text = std::string(kErrorLine) +
                             "\nTraceback (most recent call last):\n"
                             "  File \"/srv/billing/pay.py\", line 7, in charge\n"
                             "ValueError: card declined";
    const auto p = parseAs("homeostasis", text);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.exception_type == "ValueError");
    CHECK(p.record.message == "card declined");
    CHECK(str(p.record.context, "log_message") == "payment gateway refused card");
    CHECK(p.record.frames.size() == 1);
  }
}

TEST_CASE("homeostasis: events, probe and detection", "[homeostasis]") {
  Parser* p = sharedBuiltinSet().find("homeostasis");
  REQUIRE(p != nullptr);
  Parser* python = sharedBuiltinSet().find("python");
  Parser* json = sharedBuiltinSet().find("json");
  const std::string_view pure = kExceptionLine.substr(kExceptionLine.find('{'));
  const std::string_view plain = "2024-03-02 10:11:14,000 - shop.worker - INFO - job done";

  CHECK(p->probe(kExceptionLine) == 100);
  CHECK(p->probe(kInfoLine) == 100);
  CHECK(p->probe(kErrorLine) == python->probe(kErrorLine));  // no timestamp: not its shape
  CHECK(p->probe(plain) == python->probe(plain));
  CHECK(p->probe(pure) == json->probe(pure));
  CHECK(p->probe("Traceback (most recent call last):") == 0);

  CHECK(p->startsEvent(kExceptionLine));
  CHECK(p->startsEvent(pure));
  CHECK(p->startsEvent(plain));
  // A dict printed in an exception's message is no JSON line.
  CHECK_FALSE(p->startsEvent("{'user_id': 7}"));
  const std::string_view after_plain[] = {plain};
  CHECK(p->continuesEvent(after_plain, "Traceback (most recent call last):"));
  const std::string_view after_json[] = {pure};
  CHECK_FALSE(p->continuesEvent(after_json, "Traceback (most recent call last):"));

  auto detected = [](std::string_view text) {
    const auto lines = linesOf(text);
    return std::string(detectFormat(sharedBuiltinSet(), lines).parser->name());
  };
  const std::string python_lines = std::string(plain) + "\n" + std::string(plain) + "\n" +
                                   std::string(plain) + "\n" + std::string(plain) + "\n";
  // Python logging without Homeostasis' lines stays python, JSON lines json.
  CHECK(detected(python_lines) == "python");
  CHECK(detected(std::string(pure) + "\n" + std::string(pure)) == "json");
  // Python lines mixed with JSON lines: it reads both kinds, which neither of the two does.
  CHECK(detected(python_lines + std::string(pure) + "\n" + std::string(pure)) == "homeostasis");
  // One of its lines among them makes the file Homeostasis'.
  CHECK(detected(python_lines + std::string(kInfoLine)) == "homeostasis");
  CHECK(detected(std::string(kInfoLine) + "\n" + std::string(kExceptionLine)) == "homeostasis");
}

TEST_CASE("homeostasis: a file of its lines and others, through a source", "[homeostasis]") {
  SourceInfo info;
  info.path = "/srv/shop/logs/homeostasis.log";
  info.service = "configured";
  std::vector<ErrorRecord> records;
  SourceParser source(sharedBuiltinSet(), info, [&](ErrorRecord& r) { records.push_back(r); });
  const std::string text = std::string(kInfoLine) + "\n" + std::string(kExceptionLine) +
                           "\n"
                           "2024-03-02 10:11:14,000 - shop.worker - ERROR - job failed\n"
                           "Traceback (most recent call last):\n"
                           "  File \"/srv/shop/worker.py\", line 12, in run\n"
                           "KeyError: 'total'\n" +
                           std::string(kErrorLine) + "\n";
  uint64_t offset = 0;
  for (const auto line : linesOf(text)) {
    source.addLine(line, offset, offset + line.size() + 1);
    offset += line.size() + 1;
  }
  source.flush();
  REQUIRE(source.format() != nullptr);
  CHECK(source.format()->name() == "homeostasis");
  REQUIRE(records.size() == 3);
  CHECK(records[0].format == "homeostasis");
  CHECK(records[0].error_id == "KeyError-20240302101112-140072514904288");
  CHECK(records[0].service == "shop-api");
  CHECK(records[1].format == "python");
  CHECK(records[1].service == "configured");
  CHECK(records[1].exception_type == "KeyError");
  CHECK(records[1].error_id.size() == 36);
  CHECK(records[2].format == "homeostasis");
  CHECK(records[2].service == "billing");
  CHECK(source.stats().unmatched == 0);
}

TEST_CASE("homeostasis: factory and name", "[homeostasis]") {
  auto p = makeHomeostasisParser();
  REQUIRE(p != nullptr);
  CHECK(p->name() == "homeostasis");
}

}  // namespace homeo
