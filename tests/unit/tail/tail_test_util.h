#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/unit/test_support.h"

namespace homeo::testing {

inline void appendTo(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot append to " + path);
}

inline void truncateFile(const std::string& path) {
  if (::truncate(path.c_str(), 0) != 0) throw std::runtime_error("cannot truncate " + path);
}

inline uint64_t inodeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
  return st.st_ino;
}

}  // namespace homeo::testing
