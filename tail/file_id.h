#pragma once

#include <compare>
#include <cstdint>

namespace homeo {

// A file's identity on this host: its device and inode. A renamed file keeps it; a file
// created under an old name gets another.
struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  auto operator<=>(const FileId&) const = default;
};

}  // namespace homeo
