#include <catch2/catch.hpp>

#include "common/level.h"

using namespace homeo;

TEST_CASE("levels: one letter table for single-letter severities and level words", "[level]") {
  const std::pair<char, Level> letters[] = {
      {'V', Level::kDebug},    {'D', Level::kDebug},    {'T', Level::kDebug},
      {'I', Level::kInfo},     {'N', Level::kInfo},     {'W', Level::kWarning},
      {'E', Level::kError},    {'F', Level::kCritical}, {'A', Level::kCritical},
      {'C', Level::kCritical}, {'U', Level::kCritical}};
  for (const auto& [c, level] : letters) {
    INFO(c);
    CHECK(levelFromLetter(c) == level);
    CHECK(parseLevel(std::string_view(&c, 1)) == level);  // the same table
  }
  CHECK_FALSE(levelFromLetter('X'));
  CHECK_FALSE(levelFromLetter('e'));        // letters are upper case in every format that uses them
  CHECK(parseLevel("e") == Level::kError);  // a level word is read in any case
  CHECK_FALSE(parseLevel("X"));
}
