#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/hash.h"
#include "common/record.h"
#include "common/serial_worker.h"

namespace homeo {

// The fingerprints this host has seen, for metadata.first_seen and first_seen_at: kept in
// memory and in a file of the state directory (state_dir/seen), bounded in number, each
// forgotten once it has not been seen for a while.
//
// A fingerprint is written to the file only once the batch of the record that first carried
// it is acknowledged, so the file says what the destinations know. A record read again after
// a crash (its batch was never acknowledged) is first seen again, as its first copy was; one
// that was delivered is never first seen twice.
//
// The file holds one line per fingerprint, `<fingerprint>\t<first seen, ms>\t<last seen, ms>`,
// after a header line. New fingerprints are appended; the whole file is rewritten (to a
// temporary, then renamed; on a writer thread, off the loop, except at load) at load and when it
// has grown to twice the fingerprints it holds or an hour has passed, which also records when each
// was last seen. Damaged lines (a cut last line after a crash, junk) are skipped and counted. Runs
// on the event loop.
class SeenStore {
 public:
  struct Options {
    size_t max_entries = 100000;
    std::chrono::milliseconds forget_after = std::chrono::hours(24 * 30);
  };

  SeenStore(std::string path, Options options);
  ~SeenStore();  // waits for the writes queued

  // Reads the file (a missing one is an empty store) and rewrites it without what expired.
  // False with *error set when it exists but cannot be read or rewritten; the store then
  // starts empty and keeps trying to write.
  bool load(int64_t now_ms, std::string* error);

  struct Seen {
    bool first;
    int64_t first_at_ms;
  };
  // Whether `fingerprint` is new to this host, and when it was first seen (`when_ms` for a
  // new one: the record's time, or now when the log wrote none).
  Seen observe(std::string_view fingerprint, int64_t when_ms, int64_t now_ms);

  // observe() for a record, setting its metadata.first_seen and first_seen_at.
  Seen mark(ErrorRecord& r, int64_t now_ms);

  // The fingerprints observed new since the last call belong to batch `seq`.
  void assign(uint64_t seq);
  // Batches up to `seq` are acknowledged: their new fingerprints are written.
  void acked(uint64_t seq, int64_t now_ms);

  // Waits until the writes queued so far are done (tests; the destructor does it too).
  void flush();

  size_t size() const { return entries_.size(); }
  uint64_t damagedLines() const { return damaged_lines_; }
  uint64_t writeFailures() const { return write_failures_; }
  const std::string& path() const { return path_; }

 private:
  struct Entry {
    int64_t first_ms;
    int64_t last_ms;
  };
  void parse(std::string_view text);
  // The whole file as it should be now, after forgetting what expired or overflows.
  std::string snapshot(int64_t now_ms);
  void evict(int64_t now_ms, const std::unordered_set<std::string_view>& pending);
  // Queues a write of the file on the writer thread, off the event loop.
  void write(std::function<void()> job);

  std::string path_;
  std::string dir_;
  Options options_;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries_;
  // New fingerprints not yet written: (batch, fingerprint); batch 0 = not yet assigned.
  std::deque<std::pair<uint64_t, std::string>> pending_;
  size_t unassigned_ = 0;  // the last entries of pending_ that have no batch yet
  size_t file_lines_ = 0;
  int64_t rewritten_at_ms_ = 0;
  uint64_t damaged_lines_ = 0;
  std::atomic<uint64_t> write_failures_{0};  // also counted on the writer
  SerialWorker writer_{64, std::chrono::seconds(5)};
};

}  // namespace homeo
