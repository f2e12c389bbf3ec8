#include <catch2/catch.hpp>

#include "parsers/source_parser.h"

using namespace homeo;

namespace {

struct Collected {
  std::vector<ErrorRecord> records;
};

std::unique_ptr<ParserSet> builtinSet() {
  ParserRegistry reg;
  registerBuiltinParsers(reg);
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(reg, {}, diags);
  REQUIRE(set);
  return set;
}

void feed(SourceParser& sp, const std::string& text) {
  uint64_t off = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    sp.addLine(std::string_view(text).substr(start, nl - start), off + start, nl + 1);
    start = nl + 1;
  }
}

}  // namespace

TEST_CASE("source parser: detects python and groups tracebacks", "[source]") {
  auto set = builtinSet();
  Collected c;
  SourceInfo info;
  info.path = "/var/log/app.log";
  info.service = "api";
  info.tags = {"web"};
  SourceParser sp(*set, info, [&](ErrorRecord& r) { c.records.push_back(r); });
  const std::string text =
      "2024-01-01 10:00:00,000 - app - INFO - start\n"
      "2024-01-01 10:00:01,000 - app - ERROR - boom\n"
      "Traceback (most recent call last):\n"
      "  File \"/app/x.py\", line 3, in f\n"
      "RuntimeError: boom\n"
      "2024-01-01 10:00:02,000 - app - INFO - still alive\n"
      "2024-01-01 10:00:03,000 - app - ERROR - second\n";
  feed(sp, text);
  CHECK(sp.pending());
  sp.flush();
  REQUIRE(sp.format());
  CHECK(sp.format()->name() == "python");
  REQUIRE(c.records.size() == 2);
  CHECK(c.records[0].exception_type == "RuntimeError");
  CHECK(c.records[0].source_offset == text.find("2024-01-01 10:00:01"));
  CHECK(c.records[0].service == "api");
  CHECK(c.records[0].tags == std::vector<std::string>{"web"});
  CHECK(c.records[0].format == "python");
  CHECK(c.records[0].raw_log.find("RuntimeError: boom") != std::string::npos);
  CHECK(c.records[0].fingerprint.size() == 16);
  CHECK(c.records[0].error_id != c.records[1].error_id);
  CHECK(sp.safeOffset() == text.size());
  CHECK(sp.stats().lines == 7);
  CHECK(sp.stats().below_level == 2);
}

TEST_CASE("source parser: safe offset stays at an open event", "[source]") {
  auto set = builtinSet();
  SourceInfo info;
  info.format = "python";
  int n = 0;
  SourceParser sp(*set, info, [&](ErrorRecord&) { ++n; });
  sp.addLine("2024-01-01 10:00:01,000 - app - ERROR - boom", 100, 145);
  CHECK(sp.safeOffset() == 100);
  sp.addLine("Traceback (most recent call last):", 145, 180);
  CHECK(sp.safeOffset() == 100);
  CHECK(n == 0);
  sp.addLine("2024-01-01 10:00:02,000 - app - INFO - next", 180, 224);
  CHECK(n == 1);
  CHECK(sp.safeOffset() == 180);
}

TEST_CASE("source parser: same error twice has one fingerprint", "[source]") {
  auto set = builtinSet();
  std::vector<ErrorRecord> out;
  SourceInfo info;
  info.format = "bracket";
  SourceParser sp(*set, info, [&](ErrorRecord& r) { out.push_back(r); });
  feed(sp,
       "[ERROR][2023-05-20 14:30:22] a - KeyError: 'user_17'\n"
       "[ERROR][2023-05-20 14:31:22] a - KeyError: 'user_99'\n"
       "[ERROR][2023-05-20 14:31:22] a - TimeoutError: upstream 10.0.0.7 after 30s\n");
  sp.flush();
  REQUIRE(out.size() == 3);
  CHECK(out[0].fingerprint == out[1].fingerprint);
  CHECK(out[0].fingerprint != out[2].fingerprint);
}

TEST_CASE("detection: picks the format that claims the lines", "[source]") {
  auto set = builtinSet();
  std::vector<std::string_view> bracket = {"[ERROR][2023-05-20 14:30:22] a - x",
                                           "[INFO][2023-05-20 14:30:23] a - y"};
  Detection d = detectFormat(*set, bracket);
  CHECK(d.parser->name() == "bracket");
  CHECK(d.confidence > 0.9);
  std::vector<std::string_view> prose = {"hello there", "nothing to see"};
  d = detectFormat(*set, prose);
  CHECK(d.parser->name() == "text");
  CHECK(d.confidence == 0);
}

TEST_CASE("source parser: a record's own id, service and tags come before the input's",
          "[source]") {
  auto set = builtinSet();
  Collected c;
  SourceInfo info;
  info.path = "/var/log/app.jsonl";
  info.service = "configured";
  info.tags = {"web", "api"};
  SourceParser sp(*set, info, [&](ErrorRecord& r) { c.records.push_back(r); });
  feed(sp, R"({"level":"ERROR","message":"m","service":"shop-api","tags":["api","users"],)"
           R"("error_details":{"exception_type":"KeyError","error_id":"KeyError-20240302-1"}})"
           "\n"
           R"({"level":"ERROR","message":"plain"})"
           "\n");
  sp.flush();
  REQUIRE(c.records.size() == 2);
  CHECK(c.records[0].error_id == "KeyError-20240302-1");
  CHECK(c.records[0].service == "shop-api");
  // The line's tags, then the input's it lacks, each once.
  CHECK(c.records[0].tags == std::vector<std::string>{"api", "users", "web"});
  CHECK(c.records[0].format == "json");
  // Without an id of its own a record gets ours, and the input's service and tags.
  CHECK(c.records[1].error_id.size() == 36);
  CHECK(c.records[1].service == "configured");
  CHECK(c.records[1].tags == std::vector<std::string>{"web", "api"});
}

TEST_CASE("source parser: events below the level by their header, and the traces below them",
          "[source]") {
  auto set = builtinSet();
  const std::string text =
      "2024-01-01 10:00:00,000 - app - INFO - start\n"
      "Traceback (most recent call last):\n"
      "  File \"/app/x.py\", line 3, in f\n"
      "RuntimeError: crashed\n"
      "2024-01-01 10:00:01,000 - app - WARNING - retrying\n"
      "Traceback (most recent call last):\n"
      "  File \"/app/y.py\", line 4, in g\n"
      "TimeoutError: slow\n"
      "2024-01-01 10:00:02,000 - app - INFO - still alive\n"
      "2024-01-01 10:00:03,000 - app - ERROR - boom\n";
  for (Level min : {Level::kError, Level::kWarning}) {
    std::vector<ErrorRecord> out;
    SourceInfo info;
    info.min_level = min;
    SourceParser sp(*set, info, [&](ErrorRecord& r) { out.push_back(r); });
    feed(sp, text);
    sp.flush();
    // The INFO line does not own the trace below it (a crash of its own); the WARNING line
    // does (a WARNING record, below ERROR).
    REQUIRE(out.size() == (min == Level::kError ? 2u : 3u));
    CHECK(out[0].exception_type == "RuntimeError");
    CHECK(out[0].source_offset == text.find("Traceback"));
    if (min == Level::kWarning) {
      CHECK(out[1].level == Level::kWarning);
      CHECK(out[1].exception_type == "TimeoutError");
    }
    CHECK(out.back().message == "boom");
    CHECK(sp.stats().events == 5);
    CHECK(sp.stats().below_level == (min == Level::kError ? 3u : 2u));
    CHECK(sp.safeOffset() == text.size());
  }
}
