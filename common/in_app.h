#pragma once

#include <string_view>

#include "common/record.h"

namespace homeo {

// Whether a frame is the application's own code rather than the language's runtime or a
// third-party package, by built-in rules per language (`language` as ErrorRecord::language
// names it): paths (site-packages, node_modules, the Go root and module cache, gems, vendor
// directories, the Rust toolchain and registry) and module prefixes (java., System., std::,
// ...). Library frames change with library versions and say little about which error it is.
// Frames of a language without rules, and of an unknown one, are in-app.
bool isInApp(std::string_view language, const Frame& f);

// Sets each frame's in_app: the value the source stated (a Sentry-style `in_app` among the
// frame's extra members, which it then leaves), else isInApp(). Called once per record, when
// its frames are final.
void classifyFrames(ErrorRecord& r);

}  // namespace homeo
