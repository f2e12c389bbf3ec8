#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "journal/journal_entry.h"

struct sd_journal;

namespace homeo {

// Reads entries of the systemd journal with sd-journal, on the event loop: entries in bounded
// turns (so that no journal holds up the loop), then waits on the journal's descriptor
// (sd_journal_get_fd, sd_journal_process) for more, never polling in a loop.
class JournalReader {
 public:
  struct Options {
    std::string directory;           // empty: the local system journal
    std::vector<std::string> units;  // _SYSTEMD_UNIT or _SYSTEMD_USER_UNIT; empty: every entry
    size_t max_field_bytes = 1 << 20;
  };
  // Where reading starts.
  struct Start {
    enum class Kind { kHead, kTail, kAfterCursor } kind = Kind::kHead;
    std::string cursor;  // kAfterCursor: the last entry done
    // Entries done already up to `done` (its time `done_realtime_usec`), but for `held`: those
    // are read, the others handed on as done (an entry without a message, so that they count).
    std::string done;
    uint64_t done_realtime_usec = 0;
    std::vector<std::string> held;
  };
  // Each entry, valid during the call only.
  using OnEntry = std::function<void(const JournalEntry&)>;
  // After each turn of reading (some entries, or none).
  using OnTurn = std::function<void()>;

  JournalReader(boost::asio::any_io_executor loop, Options options, OnEntry on_entry,
                OnTurn on_turn);
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  // Opens the journal and sets the unit matches; false with *error when it cannot be opened.
  bool open(std::string* error);
  // Positions the journal (kTail: at its last entry, whose cursor is returned, or nullopt
  // when the journal is empty) and starts reading.
  std::optional<std::string> start(const Start& start);
  // Stops reading after the current entry, until resume().
  void pause();
  void resume();
  // Stops for good (cancels the waits); the journal stays open until destruction.
  void stop();

  bool isOpen() const { return j_ != nullptr; }
  uint64_t entries() const { return entries_; }
  uint64_t errors() const { return errors_; }

  // Entries read per turn before the loop gets its turn.
  static constexpr int kTurnEntries = 256;

 private:
  void readTurn();
  void schedule();
  void waitForChange();
  bool readEntry();
  bool passDone();

  boost::asio::any_io_executor loop_;
  Options options_;
  OnEntry on_entry_;
  OnTurn on_turn_;
  sd_journal* j_ = nullptr;
  std::unique_ptr<boost::asio::posix::stream_descriptor> fd_;
  boost::asio::steady_timer timer_;
  JournalEntry entry_;
  std::string skip_cursor_;  // an entry done before: skipped when it is the first one read
  // Start::done and Start::held while entries up to `done` are being passed.
  bool passing_ = false;
  std::string done_;
  uint64_t done_realtime_ = 0;
  std::unordered_set<std::string> held_;
  bool started_ = false;
  bool paused_ = false;
  bool stopped_ = false;
  bool waiting_ = false;
  bool turn_posted_ = false;
  bool error_logged_ = false;
  uint64_t entries_ = 0;
  uint64_t errors_ = 0;
  // Expires with the reader, so that completions posted before its end do nothing.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace homeo
