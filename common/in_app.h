#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"

namespace homeo {

// A user's rules of which frames are the application's (config `in_app:`), as Sentry's
// stack-trace rules `stack.abs_path:/app/** +app` and `stack.module:org.springframework.* -app`:
// prefixes of a frame's file path or of its qualified name (class, module or package, then
// function: "com.mycorp.", "github.com/mycorp/", "/app/", "node_modules/@mycorp/"). A frame
// that one of them matches is in-app (`include`) or not (`exclude`), whatever the built-in
// rules say; the longest matching prefix decides, `exclude` on a tie.
struct InAppRules {
  std::vector<std::string> include;
  std::vector<std::string> exclude;

  bool empty() const { return include.empty() && exclude.empty(); }
  bool operator==(const InAppRules&) const = default;
};

// Whether a frame is the application's own code rather than the language's runtime or a
// third-party package, by built-in rules per language (`language` as ErrorRecord::language
// names it): paths (site-packages, node_modules, the Go root and module cache, gems, vendor
// directories, the Rust toolchain and registry) and module prefixes (java., System., std::,
// ...). Library frames change with library versions and say little about which error it is.
// Frames of a language without rules, and of an unknown one, are in-app.
bool isInApp(std::string_view language, const Frame& f);
// The same, the user's rules first.
bool isInApp(std::string_view language, const Frame& f, const InAppRules& rules);

// How a language joins a frame's class and function in its traces ("." for most, "::" for
// Rust, "#" for Ruby, "->" for PHP): the qualified name rules match and the fingerprint hashes.
std::string_view frameQualifier(std::string_view language);

// Sets each frame's in_app: the value the source stated (a Sentry-style `in_app` among the
// frame's extra members, which it then leaves), else isInApp() with the source's rules. Called
// once per record, when its frames are final.
void classifyFrames(ErrorRecord& r, const InAppRules& rules = {});

}  // namespace homeo
