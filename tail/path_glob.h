#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "config/config.h"
#include "tail/file_id.h"

namespace homeo {

// The regular files an input's globs match now, minus its excludes, sorted and unique.
std::vector<std::string> expandInputs(const config::InputConfig& input);

// Whether a path belongs to an input: it matches one of its globs and none of its excludes.
bool inputMatches(const config::InputConfig& input, const std::string& path);

// The directories to watch for a set of globs: the directory part of each glob, itself
// expanded when it holds wildcards.
std::vector<std::string> watchDirectories(const std::vector<std::string>& globs);

// A file an input's globs match, as a scan found it.
struct FoundFile {
  const config::InputConfig* input = nullptr;
  std::string path;
  FileId id;
  uint64_t size = 0;
  std::time_t mtime = 0;
};

// What the inputs' globs match now: each file once (under the first input and path that
// matches it, inputs in order, paths sorted), and the directories to watch for the inputs
// that are not polled. Walks directories and stats every file: run it off the event loop.
struct PathScan {
  std::vector<FoundFile> files;
  std::vector<std::string> dirs;
};
PathScan scanInputs(const std::vector<config::InputConfig>& inputs);

}  // namespace homeo
