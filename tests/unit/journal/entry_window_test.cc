#include <catch2/catch.hpp>

#include <string>

#include "journal/entry_window.h"

using namespace homeo;

TEST_CASE("entry window: numbers entries and gives the position before each", "[journal]") {
  EntryWindow w("c-start");
  CHECK(w.next() == 0u);
  CHECK(w.cursorBefore(0) == "c-start");
  for (int i = 0; i < 5; ++i) {
    CHECK(w.push("c" + std::to_string(i), 100 + i, i % 8) == static_cast<uint64_t>(i));
  }
  CHECK(w.next() == 5u);
  CHECK(w.at(3).cursor == "c3");
  CHECK(w.at(3).realtime_usec == 103u);
  CHECK(w.at(3).priority == 3);
  CHECK(w.cursorBefore(0) == "c-start");
  CHECK(w.cursorBefore(4) == "c3");
  CHECK(w.cursorBefore(5) == "c4");

  w.dropBefore(3);
  CHECK(w.front() == 3u);
  CHECK(w.size() == 2u);
  CHECK(w.cursorBefore(3) == "c2");
  CHECK(w.at(4).cursor == "c4");
  // Everything dropped: the position after the last entry stays known.
  w.dropBefore(5);
  CHECK(w.size() == 0u);
  CHECK(w.cursorBefore(5) == "c4");
  CHECK(w.push("c5", 0, -1) == 5u);
  CHECK(w.cursorBefore(5) == "c4");
}

TEST_CASE("entry window: grows past its ring and keeps the order", "[journal]") {
  EntryWindow w;
  CHECK(w.cursorBefore(0).empty());
  // Interleaved pushes and drops wrap the ring before it grows.
  uint64_t dropped = 0;
  for (int i = 0; i < 1000; ++i) {
    w.push("c" + std::to_string(i), static_cast<uint64_t>(i), 6);
    if (i % 3 == 0) w.dropBefore(++dropped);
  }
  CHECK(w.front() == dropped);
  CHECK(w.next() == 1000u);
  for (uint64_t n = w.front(); n < w.next(); ++n) {
    REQUIRE(w.at(n).cursor == "c" + std::to_string(n));
    REQUIRE(w.at(n).realtime_usec == n);
  }
  CHECK(w.cursorBefore(w.front()) == "c" + std::to_string(w.front() - 1));
}

TEST_CASE("entry window: the time of the entry before a position", "[journal]") {
  EntryWindow w("c-start", 42);
  CHECK(w.realtimeBefore(0) == 42u);
  w.push("c0", 100, 6);
  w.push("c1", 200, 6);
  CHECK(w.realtimeBefore(1) == 100u);
  w.dropBefore(2);
  CHECK(w.realtimeBefore(2) == 200u);
  CHECK(w.cursorBefore(2) == "c1");
}
