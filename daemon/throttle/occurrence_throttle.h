#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/record.h"
#include "config/config.h"
#include "tail/file_id.h"

namespace homeo {

// Occurrence counting per error: within a window (opened by an error's first occurrence), the
// first `limit` records of a fingerprint go out in full; the rest are counted, and when the
// window closes one summary record carries the last of them with
// metadata.occurrences {count, first_at, last_at}, `count` being the occurrences it stands
// for. Each counted occurrence's event is held back from the checkpoint (a Hold) until the
// summary is in a batch. Windows outlive a reload (the object does); what is counted in one is
// summarised at every drain. Bounded: at most kMaxWindows fingerprints are tracked at once;
// beyond that, records of new fingerprints go out in full. Runs on the event loop.
class OccurrenceThrottle {
 public:
  static constexpr size_t kMaxWindows = 4096;

  // Where a counted occurrence's event began: its file and the tracker's hold on it.
  struct Hold {
    FileId file;
    uint64_t token;
  };
  struct Summary {
    ErrorRecord record;  // the last counted occurrence, with metadata.occurrences set
    std::vector<Hold> holds;
    uint64_t count = 0;
  };

  // Whether `r` goes out in full (counting it in its window); false: count it with
  // suppress() instead.
  bool admit(const ErrorRecord& r, const config::ThrottleConfig& cfg, int64_t now_ms);
  // Counts an occurrence admit() turned down, read from `file`; takes the record (the
  // summary's candidate). `hold` is called for the window's first occurrence in each file
  // (the later ones lie beyond it) and returns the tracker's token for it.
  void suppress(ErrorRecord& r, FileId file, int64_t now_ms, const std::function<uint64_t()>& hold);
  // The summaries of the windows that have closed by `now_ms` (all of them with `all`), in
  // the order their errors were first counted; closed windows are forgotten.
  std::vector<Summary> expire(int64_t now_ms, bool all = false);

  size_t windows() const { return windows_.size(); }
  uint64_t throttled() const { return throttled_; }
  uint64_t summaries() const { return summaries_; }

 private:
  struct Window {
    int64_t opened_ms = 0;
    int64_t closes_ms = 0;
    uint32_t sent = 0;
    uint64_t counted = 0;
    int64_t first_at_ms = 0;  // the first and last counted occurrence (log time, else read)
    int64_t last_at_ms = 0;
    uint64_t order = 0;  // when the first occurrence was counted, for the summaries' order
    ErrorRecord last;
    std::vector<Hold> holds;
  };
  std::unordered_map<std::string, Window> windows_;
  uint64_t next_order_ = 0;
  uint64_t throttled_ = 0;
  uint64_t summaries_ = 0;
};

}  // namespace homeo
