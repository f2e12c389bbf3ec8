#include "transports/homeostasis/archive_file.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

#include "transports/fd_write.h"

namespace homeo {

ArchiveFile::ArchiveFile(std::string path, uint64_t max_bytes, uint32_t keep)
    : file_(std::move(path), /*fsync=*/true, AppendFile::Sharing::kExclusive,
            "homeostasis transport archive"),
      max_bytes_(max_bytes),
      keep_(keep) {}

std::string ArchiveFile::rotatedPath(uint32_t n) const { return path() + "." + std::to_string(n); }

bool ArchiveFile::rotate(std::string& reason) {
  file_.close();
  // PATH.keep is replaced by PATH.(keep-1): rename removes the oldest.
  for (uint32_t n = keep_; n >= 1; --n) {
    const std::string from = n == 1 ? path() : rotatedPath(n - 1);
    const std::string to = rotatedPath(n);
    if (std::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      reason = "rotate " + from + " to " + to + ": " + std::generic_category().message(errno);
      return false;
    }
  }
  syncParentDir(path());
  return true;
}

bool ArchiveFile::append(std::string_view lines, off_t& start, std::string& reason) {
  const std::optional<off_t> size = file_.size(reason);
  if (!size) return false;
  if (*size > 0 && static_cast<uint64_t>(*size) + lines.size() > max_bytes_) {
    if (!rotate(reason)) return false;
  }
  return file_.append(lines, reason, &start);
}

}  // namespace homeo
