#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/serial_worker.h"
#include "config/config.h"
#include "tail/checkpoint_tracker.h"
#include "tail/discovery.h"
#include "tail/file_follower.h"
#include "tail/line_sink.h"
#include "tail/settler.h"

namespace homeo {

struct TailerSettings {
  using Clock = std::chrono::steady_clock;
  size_t max_line_bytes = 1 << 20;
  std::chrono::milliseconds multiline_timeout{500};      // an open event is complete after this
  std::chrono::milliseconds partial_line_timeout{1000};  // a last line without newline, likewise
  std::chrono::milliseconds close_inactive{300000};      // an idle file's descriptor is closed
  std::chrono::milliseconds rotate_wait{5000};  // a file that left its name is read this long
  // The time the timeouts above are measured in (tests inject their own).
  std::function<Clock::time_point()> now = [] { return Clock::now(); };

  static TailerSettings from(const config::Config& cfg);
};

// Follows the files of the inputs: takes what Discovery finds, decides where each new file
// starts (decideStart), reads ready files in bounded chunks, one slice of the loop at a time,
// closes idle descriptors and files that left their names, and tells the CheckpointTracker
// how far each file has been turned into records. Directory walks (scans, looking for a
// truncated file's copy or a moved file's new name) run on its worker and post back.
//
// Single-threaded: every method runs on the loop's executor.
class Tailer {
 public:
  using Clock = TailerSettings::Clock;
  // Makes what a newly followed file's lines go to. The sink reports each record it makes
  // with recorded(id, ...).
  using SinkFactory = std::function<std::unique_ptr<LineSink>(const config::InputConfig& input,
                                                              const std::string& path, FileId id)>;

  // `inputs` and `tracker` must outlive the Tailer.
  Tailer(boost::asio::any_io_executor loop, const std::vector<config::InputConfig>& inputs,
         TailerSettings settings, CheckpointTracker& tracker, SinkFactory make_sink);
  ~Tailer();
  Tailer(const Tailer&) = delete;
  Tailer& operator=(const Tailer&) = delete;

  // Scans (on the calling thread: start-up) and follows what it finds, then keeps looking.
  void start();
  // Stops looking and reading; completes open events and marks where each file stands.
  void drain();
  // Backpressure: no file is read while paused (the lines wait on disk).
  void pause() { paused_ = true; }
  void resume();
  bool paused() const { return paused_; }

  // A record of file `id` that begins at `offset` went into batch `seq`.
  void recorded(FileId id, uint64_t offset, uint64_t seq);

  // The idle work, run every kTick: completes events and partial lines that went quiet,
  // closes idle descriptors and files that left their names. Public for tests.
  void tick();

  size_t files() const { return followers_.size(); }
  size_t openFiles() const;
  size_t scans() const { return discovery_.scans(); }
  // Whether every file is read as far as it was when last looked at, and nothing waits on the
  // worker.
  bool idle() const;
  const std::map<const config::InputConfig*, ReadCounters>& counters() const { return counters_; }
  // Bytes read but not yet checkpointed, per input (every input listed).
  std::map<const config::InputConfig*, uint64_t> checkpointLag() const;

  static constexpr size_t kReadChunk = 256 * 1024;
  static constexpr auto kTick = std::chrono::milliseconds(100);
  // Time spent in one pump turn before other handlers (signals, acks, inotify) get their go.
  static constexpr auto kPumpSlice = std::chrono::milliseconds(20);

 private:
  struct Entry {
    std::unique_ptr<FileFollower> file;
    const config::InputConfig* input = nullptr;
    bool gone = false;  // no longer at any path of its input
    Clock::time_point gone_since{};
    bool queued = false;     // in the ready queue
    bool searching = false;  // the worker is looking for its copy or its new name
  };

  void onScanned(const PathScan& scan, bool initial);
  void onModified(const std::string& path);
  void onPoll();
  Entry* open(const config::InputConfig& in, const std::string& path, FileId id,
              uint64_t found_size, std::time_t mtime, bool initial,
              std::optional<uint64_t> size_at_start);
  bool skipOld(const config::InputConfig& in, const std::string& path, FileId id, uint64_t size,
               std::time_t mtime);
  bool copyIncomplete(const std::string& path, uint64_t size) const;
  void resumeRotatedWhileDown(const std::set<FileId>& seen);
  void resumeCopy(const Checkpoint& cp, uint64_t except_ino);
  void openCopy(const Checkpoint& cp, const std::string& copy);
  const config::InputConfig* inputFor(const std::string& path) const;
  static bool holds(const std::string& path, const Checkpoint& cp);

  void enqueue(Entry& e);
  void schedulePump();
  void pump();
  bool readStep(FileId id, Entry& e);
  void onTruncated(FileId id, Entry& e);
  void onMissing(FileId id, Entry& e);
  void restartFile(Entry& e);
  void closeFollower(FileId id);
  void tickLater();
  // Runs `job` on the worker; `then` on the loop with its result, unless the Tailer is gone.
  template <typename Result>
  void offLoop(std::function<Result()> job, std::function<void(Result)> then);

  boost::asio::any_io_executor loop_;
  const std::vector<config::InputConfig>& inputs_;
  TailerSettings settings_;
  CheckpointTracker& tracker_;
  SinkFactory make_sink_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  SerialWorker worker_{64, std::chrono::milliseconds(250)};
  Discovery discovery_;
  Settler settler_;
  boost::asio::steady_timer tick_;
  std::map<FileId, Entry> followers_;
  std::map<std::string, FileId> by_path_;
  std::deque<FileId> ready_;
  std::set<FileId> ignored_;
  // Checkpoints of content that was truncated away while the daemon was stopped, so that a
  // copy of it found later still starts where reading stopped.
  std::vector<Checkpoint> orphans_;
  std::map<const config::InputConfig*, ReadCounters> counters_;
  std::vector<char> buf_ = std::vector<char>(kReadChunk);
  size_t searches_ = 0;  // jobs out on the worker
  bool draining_ = false;
  bool paused_ = false;
  bool pump_posted_ = false;
};

}  // namespace homeo
