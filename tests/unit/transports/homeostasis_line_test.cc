#include "transports/homeostasis/homeostasis_line.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/timeutil.h"

namespace homeo {
namespace {

// Sets the process's local zone for one test and gives back the starting one after it.
struct LocalZone {
  explicit LocalZone(const char* zone) { setLocalZone(zone); }
  ~LocalZone() { setLocalZone(""); }
};

std::string naive(UnixNanos ns) {
  std::string out;
  appendNaiveLocalIso(out, ns);
  return out;
}

std::string line(std::string_view record) {
  std::string out = "unchanged";
  if (!appendHomeostasisLine(record, out)) return "unchanged";
  return out.substr(9);
}

constexpr UnixNanos kSecond = 1'000'000'000;
// 2023-05-20T14:30:22Z
constexpr UnixNanos kMay20 = 1684593022 * kSecond;

TEST_CASE("naive local time is what datetime.isoformat() writes", "[transports][homeostasis]") {
  SECTION("UTC") {
    LocalZone zone("UTC");
    CHECK(naive(kMay20) == "2023-05-20T14:30:22");
    CHECK(naive(kMay20 + 123'000'000) == "2023-05-20T14:30:22.123000");
    CHECK(naive(kMay20 + 123'456'789) == "2023-05-20T14:30:22.123456");
    CHECK(naive(kMay20 + 999) == "2023-05-20T14:30:22");  // below a microsecond: whole
    CHECK(naive(-kSecond / 2) == "1969-12-31T23:59:59.500000");
  }
  SECTION("summer and winter time") {
    LocalZone zone("Europe/Berlin");
    CHECK(naive(kMay20 + 5'000) == "2023-05-20T16:30:22.000005");
    CHECK(naive(1673793000 * kSecond) == "2023-01-15T15:30:00");  // 14:30Z, CET
  }
}

TEST_CASE("a record's line has the naive time first and the UTC time after it",
          "[transports][homeostasis]") {
  LocalZone zone("America/New_York");
  const std::string record =
      R"({"timestamp":"2023-05-20T14:30:22.123Z","service":"api","level":"ERROR"})";
  const std::string written = line(record);
  CHECK(written ==
        R"({"timestamp":"2023-05-20T10:30:22.123000","timestamp_utc":"2023-05-20T14:30:22.123Z",)"
        R"("service":"api","level":"ERROR"})");

  SECTION("a line written before is rewritten from its UTC time, in today's zone") {
    LocalZone tokyo("Asia/Tokyo");
    CHECK(line(written) ==
          R"({"timestamp":"2023-05-20T23:30:22.123000","timestamp_utc":"2023-05-20T14:30:22.123Z",)"
          R"("service":"api","level":"ERROR"})");
  }
  SECTION("microseconds survive, and a record holding only a timestamp") {
    CHECK(
        line(R"({"timestamp":"2023-05-20T14:30:22.000001Z"})") ==
        R"({"timestamp":"2023-05-20T10:30:22.000001","timestamp_utc":"2023-05-20T14:30:22.000001Z"})");
  }
  SECTION("an offset is read, and UTC written") {
    CHECK(
        line(R"({"timestamp":"2023-05-20T16:30:22+02:00","level":"ERROR"})") ==
        R"({"timestamp":"2023-05-20T10:30:22","timestamp_utc":"2023-05-20T14:30:22Z","level":"ERROR"})");
  }
}

TEST_CASE("records that do not start with a readable timestamp are left alone",
          "[transports][homeostasis]") {
  std::string out = "kept";
  for (const char* record : {
           R"({"service":"api","timestamp":"2023-05-20T14:30:22Z"})",  // not the first key
           R"({"timestamp":"yesterday","level":"ERROR"})",
           R"({"timestamp":"2023-05-20T14:30:22Z)",       // no closing quote
           R"({"timestamp":"2023-05-20T14:30:22Z"x})",    // not followed by , or }
           R"({"timestamp":"2023-05-20T14:30:22Z")",      // cut off
           R"({"timestamp":"2023-05-20\u0054:30:22Z"})",  // an escape
           R"({"timestamp":"2023-05-20T14:30:22Z","timestamp_utc":"soon","level":"ERROR"})",
           "",
           "not json",
       }) {
    INFO(record);
    CHECK_FALSE(appendHomeostasisLine(record, out));
    CHECK(out == "kept");
  }
}

}  // namespace
}  // namespace homeo
