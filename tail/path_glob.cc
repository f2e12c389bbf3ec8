#include "tail/path_glob.h"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

namespace homeo {
namespace {

bool hasWildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

std::vector<std::string> globPaths(const std::string& pattern, int flags) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), flags | GLOB_NOSORT, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;
}

bool excluded(const config::InputConfig& input, const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  for (const auto& ex : input.exclude) {
    if (::fnmatch(ex.c_str(), base.c_str(), 0) == 0) return true;
    if (::fnmatch(ex.c_str(), path.c_str(), FNM_PATHNAME) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> expandInputs(const config::InputConfig& input) {
  std::vector<std::string> out;
  for (const auto& pattern : input.paths) {
    for (auto& p : globPaths(pattern, 0)) {
      struct stat st {};
      if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (excluded(input, p)) continue;
      out.push_back(std::move(p));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool inputMatches(const config::InputConfig& input, const std::string& path) {
  for (const auto& pattern : input.paths) {
    if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) return !excluded(input, path);
  }
  return false;
}

std::vector<std::string> watchDirectories(const std::vector<std::string>& globs) {
  std::vector<std::string> out;
  for (const auto& g : globs) {
    const size_t slash = g.rfind('/');
    std::string dir = slash == 0 ? "/" : g.substr(0, slash);
    if (hasWildcard(dir)) {
      for (auto& d : globPaths(dir, GLOB_ONLYDIR)) out.push_back(std::move(d));
    } else {
      out.push_back(std::move(dir));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

PathScan scanInputs(const std::vector<config::InputConfig>& inputs) {
  PathScan scan;
  std::set<FileId> seen;
  for (const auto& in : inputs) {
    if (!in.poll) {
      for (auto& dir : watchDirectories(in.paths)) scan.dirs.push_back(std::move(dir));
    }
    for (auto& path : expandInputs(in)) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) continue;
      const FileId id{st.st_dev, st.st_ino};
      if (!seen.insert(id).second) continue;
      scan.files.push_back(
          {&in, std::move(path), id, static_cast<uint64_t>(st.st_size), st.st_mtime});
    }
  }
  std::sort(scan.dirs.begin(), scan.dirs.end());
  scan.dirs.erase(std::unique(scan.dirs.begin(), scan.dirs.end()), scan.dirs.end());
  return scan;
}

}  // namespace homeo
