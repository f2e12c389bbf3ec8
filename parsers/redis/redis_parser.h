#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Redis server log (also Valkey, KeyDB):
//   1:M 02 Jan 2024 15:04:05.123 # Short read or OOM loading DB. Unrecoverable error
//   [1:C] 02 Jan 2024 15:04:05.123 * Ready to accept connections      (bracketed pid:role)
//   [4242] 02 Jan 15:04:05.123 * The server is now ready                (2.x: no role, no year)
// The role letter (X sentinel, C child, S replica, M master) goes to context.role; the mark
// before the message is the level: '.' DEBUG, '-' and '*' INFO, '#' WARNING (Redis's highest:
// its warnings are what an operator looks at).
std::unique_ptr<Parser> makeRedisParser();

}  // namespace homeo
