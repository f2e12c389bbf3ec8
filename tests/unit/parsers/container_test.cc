// Container envelopes: CRI and Docker json-file lines are unwrapped before detection and
// parsing, partial lines joined.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "parsers/container/container_unwrapper.h"
#include "parsers/source_parser.h"

namespace homeo {
namespace {

struct Run {
  std::vector<ErrorRecord> records;
  std::string format;
  ContainerUnwrapper::Kind container = ContainerUnwrapper::Kind::kUnknown;
  uint64_t safe = 0;
  uint64_t size = 0;
};

Run runSource(const std::vector<std::string>& lines, Level min_level = Level::kError) {
  ParserRegistry reg;
  registerBuiltinParsers(reg);
  std::vector<config::Diagnostic> diags;
  auto set = ParserSet::create(reg, {}, diags);
  REQUIRE(set);
  Run run;
  SourceInfo info;
  info.min_level = min_level;
  SourceParser sp(*set, info, [&](ErrorRecord& r) { run.records.push_back(r); });
  uint64_t off = 0;
  for (const auto& l : lines) {
    sp.addLine(l, off, off + l.size() + 1);
    off += l.size() + 1;
  }
  sp.flush();
  run.format = sp.format() ? std::string(sp.format()->name()) : "";
  run.container = sp.container();
  run.safe = sp.safeOffset();
  run.size = off;
  return run;
}

}  // namespace

TEST_CASE("container: classify CRI and Docker lines", "[container]") {
  using K = ContainerUnwrapper::Kind;
  CHECK(ContainerUnwrapper::classify("2023-10-06T00:17:09.669794202Z stdout F hello") == K::kCri);
  CHECK(ContainerUnwrapper::classify("2023-10-06T00:17:09.669794202Z stderr P part") == K::kCri);
  CHECK(ContainerUnwrapper::classify(
            "{\"log\":\"hi\\n\",\"stream\":\"stderr\",\"time\":\"2024-01-01T00:00:00Z\"}") ==
        K::kDocker);
  CHECK(ContainerUnwrapper::classify("2023-10-06 00:17:09 ERROR x") == K::kNone);
  CHECK(ContainerUnwrapper::classify("{\"level\":\"error\"}") == K::kNone);
}

TEST_CASE("container: JSON string decoding", "[container]") {
  std::string out;
  REQUIRE(decodeJsonString("a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00", out));
  CHECK(out == "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
  out.clear();
  CHECK_FALSE(decodeJsonString("bad\\u12", out));
}

TEST_CASE("container: CRI partial lines are joined and the inner format detected", "[container]") {
  std::vector<std::string> lines;
  for (int i = 0; i < 5; ++i) {
    lines.push_back("2024-01-01T10:00:0" + std::to_string(i) +
                    ".000000000Z stdout F level=info msg=ok n=" + std::to_string(i));
  }
  lines.push_back("2024-01-01T10:00:06.000000000Z stderr P level=error msg=\"disk ");
  lines.push_back("2024-01-01T10:00:06.000000001Z stderr F full\" dev=/dev/sda");
  const Run run = runSource(lines);
  CHECK(run.container == ContainerUnwrapper::Kind::kCri);
  CHECK(run.format == "logfmt");
  REQUIRE(run.records.size() == 1);
  CHECK(run.records[0].message == "disk full");
  // The record starts where its first part was written.
  uint64_t start = 0;
  for (size_t i = 0; i < 5; ++i) start += lines[i].size() + 1;
  CHECK(run.records[0].source_offset == start);
  CHECK(run.safe == run.size);
}

TEST_CASE("container: a Java trace across Docker lines is one record", "[container]") {
  auto wrap = [](const std::string& inner, bool newline = true) {
    std::string escaped;
    for (char c : inner) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      if (c == '\t') {
        escaped += "\\t";
        continue;
      }
      escaped.push_back(c);
    }
    return "{\"log\":\"" + escaped + (newline ? "\\n" : "") +
           "\",\"stream\":\"stdout\",\"time\":\"2024-01-01T10:00:00.1Z\"}";
  };
  std::vector<std::string> lines = {
      wrap("2024-01-01 10:00:00.123  INFO 1 --- [main] c.e.App : started"),
      wrap("2024-01-01 10:00:01.123 ERROR 1 --- [main] c.e.Api : request failed"),
      wrap("java.lang.IllegalStateException: no ", false),
      wrap("cart"),
      wrap("\tat com.example.Cart.get(Cart.java:17)"),
      wrap("\tat com.example.Api.handle(Api.java:40)"),
      wrap("2024-01-01 10:00:02.123  INFO 1 --- [main] c.e.App : next"),
  };
  const Run run = runSource(lines);
  CHECK(run.container == ContainerUnwrapper::Kind::kDocker);
  CHECK(run.format == "java");
  REQUIRE(run.records.size() == 1);
  CHECK(run.records[0].exception_type == "java.lang.IllegalStateException");
  CHECK(run.records[0].message == "no cart");
  CHECK(run.records[0].frames.size() == 2);
}

TEST_CASE("container: a partial line at the end of input is not lost", "[container]") {
  const Run run = runSource({"2024-01-01T10:00:00Z stdout P level=error msg=cut"});
  REQUIRE(run.records.size() == 1);
  CHECK(run.records[0].message == "cut");
}

}  // namespace homeo
