#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tail/line_splitter.h"

using homeo::LineSplitter;

namespace {
struct Line {
  std::string text;
  uint64_t off, end;
  bool cut;
};
}  // namespace

TEST_CASE("line splitter: lines across chunks, CRLF, offsets", "[splitter]") {
  LineSplitter s(1024);
  std::vector<Line> got;
  auto fn = [&](std::string_view l, uint64_t o, uint64_t e, bool c) {
    got.push_back({std::string(l), o, e, c});
  };
  s.feed("ab\r\ncd", 0, fn);
  REQUIRE(got.size() == 1);
  CHECK(got[0].text == "ab");
  CHECK(got[0].end == 4);
  CHECK(s.hasPartial());
  s.feed("ef\ngh\n", 6, fn);
  REQUIRE(got.size() == 3);
  CHECK(got[1].text == "cdef");
  CHECK(got[1].off == 4);
  CHECK(got[1].end == 9);
  CHECK(got[2].text == "gh");
  CHECK(s.consumed() == 12);
  CHECK_FALSE(s.hasPartial());
}

TEST_CASE("line splitter: long lines are cut and the rest skipped", "[splitter]") {
  LineSplitter s(8);
  std::vector<Line> got;
  auto fn = [&](std::string_view l, uint64_t o, uint64_t e, bool c) {
    got.push_back({std::string(l), o, e, c});
  };
  s.feed("0123456789abcdef\nok\n", 0, fn);
  REQUIRE(got.size() == 2);
  CHECK(got[0].text == "01234567");
  CHECK(got[0].cut);
  CHECK(got[1].text == "ok");
  // A long line split over chunks.
  s.feed("xxxxxx", 20, fn);
  s.feed("yyyyyy", 26, fn);
  s.feed("zz\nend\n", 32, fn);
  REQUIRE(got.size() == 4);
  CHECK(got[2].text == "xxxxxxyy");
  CHECK(got[2].cut);
  CHECK(got[3].text == "end");
  CHECK(got[3].off == 35);
  CHECK(s.truncatedLines() == 2);
}

TEST_CASE("line splitter: finish passes the last line without newline", "[splitter]") {
  LineSplitter s(100);
  std::vector<Line> got;
  auto fn = [&](std::string_view l, uint64_t o, uint64_t e, bool c) {
    got.push_back({std::string(l), o, e, c});
  };
  s.feed("a\nlast", 0, fn);
  s.finish(fn);
  REQUIRE(got.size() == 2);
  CHECK(got[1].text == "last");
  CHECK(got[1].end == 6);
}
