#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace homeo {

// The regular files an input's globs match now, minus its excludes, sorted and unique.
std::vector<std::string> expandInputs(const config::InputConfig& input);

// Whether a path belongs to an input: it matches one of its globs and none of its excludes.
bool inputMatches(const config::InputConfig& input, const std::string& path);

// The directories to watch for a set of globs: the directory part of each glob, itself
// expanded when it holds wildcards.
std::vector<std::string> watchDirectories(const std::vector<std::string>& globs);

}  // namespace homeo
