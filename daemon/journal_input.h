#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "daemon/journal_sink.h"
#include "daemon/parsing_sink.h"
#include "journal/journal_reader.h"
#include "parsers/parser_set.h"
#include "tail/checkpoint_tracker.h"

namespace homeo {

// The key a journal input's cursor is stored under: the journal it reads and its units.
std::string journalKey(const config::InputConfig& input);

// One `type: journald` input: the reader (journal/), the sink that turns its entries into
// records, and their checkpoint. It starts after the stored cursor (or, on its first start,
// where `read_from` says, storing that position at once), reports to the tracker where its
// position stands after each turn of reading, and records' marks as they are shipped.
class JournalInput {
 public:
  // Hands a finished record on (context, scrubbing, batching); returns its batch's number.
  using Ship = std::function<uint64_t(ErrorRecord&)>;

  // Everything given must outlive the input.
  JournalInput(boost::asio::any_io_executor loop, const config::InputConfig& input,
               const config::Config& cfg, const ParserSet& parsers, CheckpointTracker& tracker,
               ParseTotals& totals, std::string host, Ship ship);
  ~JournalInput();
  JournalInput(const JournalInput&) = delete;
  JournalInput& operator=(const JournalInput&) = delete;

  // Opens the journal (again every few seconds while it cannot be opened) and reads.
  void start();
  void pause();
  void resume();
  // Stops reading, completes open events and marks what was read.
  void drain();

  const config::InputConfig& input() const { return input_; }
  const std::string& key() const { return key_; }

  struct Stats {
    JournalSink::Stats sink;
    uint64_t read_errors = 0;  // failed opens and reads
    size_t sources = 0;        // processes being assembled
    uint64_t lag_entries = 0;  // read but not yet acknowledged and checkpointed
    bool open = false;
  };
  Stats stats() const;

  // How often a journal that cannot be opened is tried again.
  static constexpr std::chrono::seconds kReopenEvery{5};

 private:
  void tryOpen();
  void onEntry(const JournalEntry& entry);
  void onTurn();
  void tickLater();

  boost::asio::any_io_executor loop_;
  const config::InputConfig& input_;
  JournalSinkSettings settings_;
  const ParserSet& parsers_;
  CheckpointTracker& tracker_;
  ParseTotals& totals_;
  Ship ship_;
  std::string key_;
  std::chrono::milliseconds tick_every_;
  std::unique_ptr<JournalSink> sink_;
  std::unique_ptr<JournalReader> reader_;
  boost::asio::steady_timer reopen_timer_;
  boost::asio::steady_timer tick_timer_;
  uint64_t last_seq_ = 0;  // the batch the input's last record went into
  uint64_t open_failures_ = 0;
  bool open_failure_logged_ = false;
  bool paused_ = false;
  bool draining_ = false;
  bool ticking_ = false;
};

}  // namespace homeo
