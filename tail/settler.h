#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <set>

#include "tail/file_id.h"

namespace homeo {

// Decides when a file that appeared is whole enough to be opened: once its size held still
// between two looks (or after kSettleMax), so that a copy logrotate is still writing is not
// taken for a new file before its first bytes can tell whose copy it is. A copy also waits
// while it is shorter than what was read of the content it copies (up to kSettleMaxCopy).
// Files found by the first scan and untouched for a while are ready at once.
class Settler {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kSettleMax = std::chrono::milliseconds(400);
  static constexpr auto kSettleMaxCopy = std::chrono::seconds(5);
  static constexpr auto kUntouched = std::chrono::seconds(2);

  struct Look {
    FileId id;
    uint64_t size = 0;
    std::time_t mtime = 0;
    bool initial = false;  // seen by the first scan
  };
  struct Verdict {
    bool ready = false;
    // As of the first look: whether it was seen by the first scan (read_from applies to it)
    // and its size then (`read_from: end` means its end as of the start).
    bool initial = false;
    uint64_t first_size = 0;
  };

  // `copy_incomplete` is asked only when the file would otherwise be ready.
  Verdict look(const Look& file, Clock::time_point now, std::chrono::system_clock::time_point wall,
               const std::function<bool()>& copy_incomplete);
  // Forgets files no scan sees any more.
  void keepOnly(const std::set<FileId>& seen);
  size_t waiting() const { return settling_.size(); }

 private:
  struct Settling {
    uint64_t size;
    Clock::time_point since;
    bool initial;
    uint64_t first_size;
  };
  std::map<FileId, Settling> settling_;
};

}  // namespace homeo
