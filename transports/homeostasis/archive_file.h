#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "transports/append_file.h"

namespace homeo {

// An append-only file rotated by size: once an append would take it past `max_bytes`, PATH is
// renamed PATH.1 (PATH.1 to PATH.2 ..., the oldest past `keep` files removed) and the append
// goes to a new PATH. Appends are fdatasync'ed, and a failed one is taken back (AppendFile).
// A single append larger than max_bytes still goes whole into one file. Worker thread only.
class ArchiveFile {
 public:
  ArchiveFile(std::string path, uint64_t max_bytes, uint32_t keep);

  // Appends `lines` (rotating first when they do not fit); `start` receives the size the file
  // had before them, for truncate(). False with `reason` on failure.
  bool append(std::string_view lines, off_t& start, std::string& reason);
  // Takes back the last append (a later step of the caller failed).
  bool truncate(off_t start, std::string& reason) { return file_.truncate(start, reason); }
  void close() { file_.close(); }

  const std::string& path() const { return file_.path(); }
  // The name of the n-th rotated file (1: the newest).
  std::string rotatedPath(uint32_t n) const;

 private:
  bool rotate(std::string& reason);

  AppendFile file_;
  const uint64_t max_bytes_;
  const uint32_t keep_;
};

}  // namespace homeo
