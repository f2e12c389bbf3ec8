#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/in_app.h"
#include "common/record.h"
#include "parsers/container/container_unwrapper.h"
#include "parsers/crash.h"
#include "parsers/parser_set.h"

namespace homeo {

// What a source is, for the records it yields.
struct SourceInfo {
  std::string path;  // metadata.source.path
  uint64_t key = 0;  // stable id of the stream (device and inode), part of record ids
  std::string format = "auto";
  std::string service;
  std::string release;      // metadata.release unless the line names one; empty: none
  std::string environment;  // metadata.environment unless the line names one; empty: none
  InAppRules in_app;        // the user's rules of which frames are the application's
  std::vector<std::string> tags;
  Level min_level = Level::kError;
  std::string host;  // part of record ids
};

struct SourceStats {
  uint64_t lines = 0;
  uint64_t events = 0;
  uint64_t records = 0;
  uint64_t below_level = 0;
  uint64_t unmatched = 0;     // events the source's format did not parse (read as text)
  uint64_t split_events = 0;  // events cut at the line or byte limit
  uint64_t redetections = 0;  // times the format was detected again (see kRedetectWindow)
};

// Turns one source's lines into records: detects the format on the first lines (unless the
// config names it), groups lines into events (headers plus continuation lines such as
// tracebacks), parses them, and fills the source's part of each record. A crash a runtime
// wrote between the lines (parsers/crash.h) is an event of its own, unless the header above
// it owns it (a header at WARNING or above, with no trace yet). A header of the file's second
// format (Detection::second: another program writing into the same file) begins an event of
// that format. Owns copies of the lines of the event still open, so callers may reuse their
// read buffers between calls.
class SourceParser {
 public:
  using Sink = std::function<void(ErrorRecord&)>;

  // `parsers` must outlive this object.
  SourceParser(const ParserSet& parsers, SourceInfo info, Sink sink);

  // A complete line (without its terminator) starting at byte `offset`; `end` is the offset
  // just past its terminator.
  void addLine(std::string_view line, uint64_t offset, uint64_t end);

  // Completes the open event (idle timeout, end of input) and, if the format is still to be
  // detected, detects it on what has been seen.
  void flush();

  // Completes what is open and goes on from `offset` (a file truncated and read again from
  // its start).
  void restartAt(uint64_t offset) {
    flush();
    last_end_ = offset;
  }

  // Drops what is open (detection sample, open event, partial container line) without turning
  // it into records, and goes on from `offset`: those lines are read again by someone else (a
  // copy of the file that takes over from safeOffset()).
  void abandonAt(uint64_t offset);

  // Every byte before this offset has been turned into records (or found to need none).
  uint64_t safeOffset() const;
  // Whether an event (or the detection sample) is waiting for more lines.
  bool pending() const { return event_open_ || sample_.size() > 0; }

  const Parser* format() const { return format_; }
  // The container envelope the source's lines come in (kNone for plain logs).
  ContainerUnwrapper::Kind container() const { return unwrapper_.kind(); }
  double confidence() const { return confidence_; }
  const SourceStats& stats() const { return stats_; }
  const SourceInfo& info() const { return info_; }

  // Limits of one event; a longer one is cut and the rest starts a new event.
  static constexpr size_t kMaxEventLines = 1000;
  static constexpr size_t kMaxEventBytes = 1 << 20;
  // Lines looked at to detect a format.
  static constexpr size_t kDetectLines = 50;
  // Re-detection (auto format only): when more than half of the last kRedetectWindow events
  // were not in the detected format (lines it did not claim, events it could not parse), the
  // format is detected again on the next lines. Each re-detection that keeps the same format
  // doubles the window, so a file that really is free text costs a few detections only.
  static constexpr size_t kRedetectWindow = 200;

 private:
  struct LineBuffer {
    std::string text;                                    // lines joined by '\n'
    std::vector<std::pair<uint32_t, uint32_t>> spans;    // offset, length in text
    std::vector<std::pair<uint64_t, uint64_t>> offsets;  // source offset, end of each line
    std::vector<std::string_view> views;
    void add(std::string_view line, uint64_t offset, uint64_t end);
    void popBack();
    void clear();
    const std::vector<std::string_view>& makeViews();
    size_t size() const { return spans.size(); }
  };

  void addInnerLine(std::string_view line, uint64_t offset, uint64_t end);
  void detect();
  void assemble(std::string_view line, uint64_t offset, uint64_t end);
  // How a line that begins no event of the format relates to the open event.
  enum class Join {
    kContinue,   // it belongs to the event
    kNewEvent,   // it begins an event of its own
    kSplitLast,  // it and the event's last line begin a trace of their own
  };
  Join join(std::string_view line, CrashStart crash);
  bool takesTrace(std::span<const std::string_view> event, std::string_view line) const;
  bool headerOwnsTrace(std::span<const std::string_view> event);
  void openEvent(Parser* parser, const EventStart& start = {});
  void completeEvent();
  void emit(Parser& parser, const LogEvent& ev);
  void noteOutcome(bool matched);

  const ParserSet& parsers_;
  SourceInfo info_;
  Sink sink_;
  Parser* format_ = nullptr;  // null until detected
  Parser* second_ = nullptr;  // the file's second format (Detection::second), if any
  double confidence_ = 0;
  Parser* event_parser_ = nullptr;  // the parser of the open event
  bool event_open_ = false;
  // Whether the open event holds a stack trace already: a second one is a crash of its own
  // (unless it chains to the first, as Python's "During handling..." does).
  bool event_holds_trace_ = false;
  // The open event's level, when its header decided it (Parser::scanStart).
  std::optional<Level> event_level_;
  bool event_level_if_alone_ = false;
  LineBuffer event_;
  ErrorRecord header_scratch_;  // headerOwnsTrace's parse of a header line
  std::string carried_;         // the line kSplitLast moves to the new event
  LineBuffer sample_;
  uint64_t last_end_ = 0;
  ErrorRecord record_;
  SourceStats stats_;
  // Container envelopes (CRI, Docker json-file) taken off before anything else.
  ContainerUnwrapper unwrapper_;
  uint64_t last_raw_end_ = 0;
  // Re-detection state.
  bool auto_detect_ = false;
  bool redetect_ = false;  // set by noteOutcome; acted on at the next line
  const Parser* previous_format_ = nullptr;
  size_t window_size_ = kRedetectWindow;
  size_t window_events_ = 0;
  size_t window_misses_ = 0;
};

}  // namespace homeo
