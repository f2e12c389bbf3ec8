#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/level.h"
#include "common/record.h"
#include "daemon/parsing_sink.h"
#include "journal/entry_window.h"
#include "journal/journal_entry.h"
#include "parsers/source_parser.h"
#include "tail/checkpoint_tracker.h"

namespace homeo {

// What a journal input's records get besides what their messages say.
struct JournalSinkSettings {
  std::string directory;  // the input's (metadata.source.directory); empty: the system journal
  std::string format = "auto";
  std::string service;
  std::string release;
  std::string environment;
  InAppRules in_app;
  std::vector<std::string> tags;
  Level min_level = Level::kError;
  std::string host;  // part of record ids
  size_t max_line_bytes = 1 << 20;
  // An open event is complete after this long without an entry of its process.
  std::chrono::milliseconds multiline_timeout{500};
  // A process with nothing open is forgotten after this long without an entry.
  std::chrono::milliseconds idle_source{300000};
  // At most this many processes are assembled at once; past it the longest quiet one is
  // completed and forgotten.
  size_t max_sources = 1024;
};

// Turns journal entries into records: each entry's MESSAGE is a line (or several) of the
// source of its process (boot, unit, _PID), read by that source's SourceParser as a file's
// lines are (detection, multi-line assembly: a traceback logged entry by entry is one event,
// parsing), and each record gets the entry's time, its PRIORITY as the level where the
// message has none of its own (text without a level word or a trace), `metadata.source`
// (journald, unit, cursor of the event's first entry) and `context.journal` (pid, comm,
// unit, user_unit, hostname, boot_id).
//
// Entries are numbered as they are added; position() is where the input's checkpoint may
// stand: every entry added is done but those still held by a source (an open event, a
// detection sample), which a restart reads again (JournalCheckpoint).
class JournalSink {
 public:
  using Clock = std::chrono::steady_clock;
  // A record. While it is handed on, its event is still held, so position() then is where the
  // mark of the batch it goes into stands.
  using Emit = std::function<void(ErrorRecord&)>;

  // `parsers` and `totals` must outlive the sink; `start` is the checkpoint reading starts
  // from (its `resume` is the entry before the first one added).
  JournalSink(const ParserSet& parsers, JournalSinkSettings settings, JournalCheckpoint start,
              Emit emit, ParseTotals& totals);
  ~JournalSink();
  JournalSink(const JournalSink&) = delete;
  JournalSink& operator=(const JournalSink&) = delete;

  void add(const JournalEntry& entry, Clock::time_point now);
  // Completes events quiet for multiline_timeout and forgets sources idle for idle_source;
  // then drops what no one needs of the entries before position().
  void tick(Clock::time_point now);
  // Completes every open event (a drain).
  void flushAll();
  // Forgets what no one needs any more of the entries done (after a turn of reading).
  void trim();

  JournalPosition position() const;
  // The number the next entry gets (entries added so far).
  uint64_t next() const { return window_.next(); }

  struct Stats {
    uint64_t entries = 0;
    uint64_t bytes = 0;      // of the messages
    uint64_t truncated = 0;  // lines cut at max_line_bytes
    uint64_t without_message = 0;
    uint64_t below_level = 0;  // records below min_level once PRIORITY decided their level
  };
  const Stats& stats() const { return stats_; }
  size_t sources() const { return sources_.size(); }

  // Whether a record of the text format took its level from its own words or trace (else the
  // entry's PRIORITY gives it); `first_line` is the event's first line.
  static bool hasOwnLevel(const ErrorRecord& r, std::string_view first_line);

  // Past this many held entries, a position holds none but begins before the oldest (a
  // restart then reads every entry after it again).
  static constexpr size_t kMaxHeld = 1024;

 private:
  struct Source {
    std::unique_ptr<SourceParser> parser;
    std::string unit, user_unit, pid, comm, hostname, boot_id;
    uint64_t key_hash = 0;
    uint64_t last_end = 0;  // just past its last entry
    // Its entries from the oldest one it may still hold; those before safeOffset() are done.
    std::deque<uint64_t> entries;
    Clock::time_point last_seen;
    bool holds() const { return parser->safeOffset() < last_end; }
  };

  Source& sourceFor(const JournalEntry& entry, Clock::time_point now);
  void evictOne();
  void onRecord(const Source& source, ErrorRecord& r);
  void forget(std::unordered_map<std::string, Source>::iterator it);
  // Drops what the sources know to be done of their entries; the oldest entry still held.
  uint64_t oldestHeld();

  const ParserSet& parsers_;
  JournalSinkSettings settings_;
  Level parse_level_;  // what the parsers are asked for: low enough for PRIORITY to raise
  Emit emit_;
  ParseTotals& totals_;
  JournalCheckpoint start_;
  uint64_t progress_ = 0;  // changes of what is read or held (JournalPosition::offset)
  EntryWindow window_;
  mutable std::vector<uint64_t> held_;  // position()'s scratch
  std::unordered_map<std::string, Source> sources_;
  std::string key_;  // reused for lookups
  Stats stats_;
};

}  // namespace homeo
