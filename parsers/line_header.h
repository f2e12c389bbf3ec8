#pragma once

#include <optional>
#include <string_view>

#include "common/level.h"
#include "common/timeutil.h"

namespace homeo {

// Pieces every "timestamp + level" text header has, found by hand-written scanning (no
// regex on the hot path). Views into the line.
struct TextHeader {
  std::optional<CivilTime> time;
  std::optional<Level> level;
  std::string_view module;
  std::string_view message;  // the rest of the line after the header
};

// Finds a level word near the start of free text: a token such as ERROR, [error], <err>,
// "error:", level=error, E/W/I single letters are not taken (too ambiguous). Looks at the
// first `window` bytes only. Returns the level and sets *end to the offset after the token.
std::optional<Level> findLevelToken(std::string_view s, size_t window = 96, size_t* end = nullptr);

}  // namespace homeo
