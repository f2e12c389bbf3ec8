#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace homeo {

// A file that whole lines are appended to, from one worker thread. Opened on first use
// (O_APPEND, mode 0640, parent directories created 0750) and opened again when its path no
// longer names the open file (rotated, removed), so logrotate's create and copytruncate work.
// With fsync on, every append is fdatasync'ed before it counts as done.
//
// A failed append is taken back so that the file holds whole lines. A file of its own
// (kExclusive) is cut back to where the append started. A file another program appends to as
// well (kShared, such as Homeostasis' own log) is never cut, since that could cut the other
// writer's lines: a partial line is ended with a newline before the next append instead, and
// readers skip it as a line that is not JSON.
class AppendFile {
 public:
  enum class Sharing { kExclusive, kShared };

  // `what` names the owner in log messages ("file transport").
  AppendFile(std::string path, bool fsync, Sharing sharing, std::string what);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Appends `lines` (each ending in '\n'). On failure sets `reason`, takes back what it wrote
  // and returns false. `start`, when given, receives the offset the lines start at (the file's
  // size before them), for truncate().
  bool append(std::string_view lines, std::string& reason, off_t* start = nullptr);
  // Cuts an exclusive file back to `size` (a later step of the caller failed and the append is
  // to be taken back), fdatasync'ed when fsync is on. False, with `reason`, when it could not.
  bool truncate(off_t size, std::string& reason);
  // The file's size, opening (and creating) it when needed; nullopt with `reason` on failure.
  std::optional<off_t> size(std::string& reason);
  // Closes the descriptor; the next call opens the path again.
  void close();

  const std::string& path() const { return path_; }
  bool fsyncEnabled() const { return fsync_; }

 private:
  bool ensureOpen(std::string& reason);
  bool rotated() const;

  const std::string path_;
  const bool fsync_;
  const Sharing sharing_;
  const std::string what_;
  int fd_ = -1;
  bool torn_ = false;  // a failed write left a partial line that is still in the file
};

}  // namespace homeo
