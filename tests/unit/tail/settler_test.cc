#include <catch2/catch.hpp>

#include "tail/settler.h"

using namespace homeo;
using namespace std::chrono_literals;

namespace {
const auto kWall = std::chrono::system_clock::from_time_t(1700000000);
const Settler::Clock::time_point kT0 = Settler::Clock::time_point{} + 1h;
}  // namespace

TEST_CASE("settler: an untouched file found at start is ready at once", "[settler]") {
  Settler s;
  const auto v = s.look({{1, 2}, 100, 1700000000 - 60, true}, kT0, kWall, nullptr);
  CHECK(v.ready);
  CHECK(v.initial);
  CHECK(v.first_size == 100);
  CHECK(s.waiting() == 0);
}

TEST_CASE("settler: a new file waits until its size holds still", "[settler]") {
  Settler s;
  const FileId id{1, 2};
  CHECK_FALSE(s.look({id, 600, 1700000000, true}, kT0, kWall, nullptr).ready);
  CHECK(s.waiting() == 1);
  CHECK_FALSE(s.look({id, 900, 1700000000, false}, kT0 + 50ms, kWall, nullptr).ready);
  const auto v = s.look({id, 900, 1700000000, false}, kT0 + 100ms, kWall, nullptr);
  CHECK(v.ready);
  CHECK(v.initial);  // as of its first look
  CHECK(v.first_size == 600);
  CHECK(s.waiting() == 0);
}

TEST_CASE("settler: a small or growing file is taken after kSettleMax", "[settler]") {
  Settler s;
  const FileId id{1, 3};
  CHECK_FALSE(s.look({id, 10, 0, false}, kT0, kWall, nullptr).ready);
  CHECK_FALSE(s.look({id, 10, 0, false}, kT0 + 50ms, kWall, nullptr).ready);  // < a fingerprint
  CHECK_FALSE(s.look({id, 20, 0, false}, kT0 + 300ms, kWall, nullptr).ready);
  CHECK(s.look({id, 30, 0, false}, kT0 + Settler::kSettleMax, kWall, nullptr).ready);
}

TEST_CASE("settler: a copy shorter than what was read of its original waits longer", "[settler]") {
  Settler s;
  const FileId id{1, 4};
  bool incomplete = true;
  int asked = 0;
  auto copyIncomplete = [&] {
    ++asked;
    return incomplete;
  };
  CHECK_FALSE(s.look({id, 700, 0, false}, kT0, kWall, copyIncomplete).ready);
  CHECK(asked == 0);  // asked only once it would be ready otherwise
  CHECK_FALSE(s.look({id, 700, 0, false}, kT0 + 1s, kWall, copyIncomplete).ready);
  CHECK(asked == 1);
  CHECK(s.look({id, 700, 0, false}, kT0 + Settler::kSettleMaxCopy, kWall, copyIncomplete).ready);

  SECTION("and is taken as soon as it is complete") {
    CHECK_FALSE(s.look({id, 700, 0, false}, kT0, kWall, copyIncomplete).ready);
    incomplete = false;
    CHECK(s.look({id, 700, 0, false}, kT0 + 100ms, kWall, copyIncomplete).ready);
  }
}

TEST_CASE("settler: files no scan sees are forgotten", "[settler]") {
  Settler s;
  CHECK_FALSE(s.look({{1, 5}, 1, 0, false}, kT0, kWall, nullptr).ready);
  CHECK_FALSE(s.look({{1, 6}, 1, 0, false}, kT0, kWall, nullptr).ready);
  s.keepOnly({FileId{1, 6}});
  CHECK(s.waiting() == 1);
}
