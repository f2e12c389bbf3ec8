#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Android logcat, in its threadtime, time and brief layouts:
//   01-02 15:04:05.123  1234  5678 E Tag: message
//   01-02 15:04:05.123 E/Tag( 1234): message
//   E/Tag( 1234): message
// Levels are single letters V D I W E F A (F and A are CRITICAL).
std::unique_ptr<Parser> makeLogcatParser();

}  // namespace homeo
