#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tail/checkpoint_tracker.h"
#include "tail/file_id.h"
#include "tail/file_identity.h"
#include "tail/line_sink.h"
#include "tail/line_splitter.h"

namespace homeo {

// What was read, per input (the self-metrics add them up).
struct ReadCounters {
  uint64_t bytes = 0;
  uint64_t lines = 0;
  uint64_t truncated = 0;  // lines longer than max_line_bytes, cut
};

// Follows one file: reads it in bounded chunks into a LineSink, notices truncation, reads the
// last lines of a truncated file from its copy before the file again from its start, closes
// its descriptor while idle and opens it again. It opens no other file by itself and walks no
// directory: where a copy or a moved file is, the caller finds out and tells it.
class FileFollower {
 public:
  using Clock = std::chrono::steady_clock;

  struct Settings {
    size_t max_line_bytes = 1 << 20;
    // How long a file whose content a copy took over waits for its truncation.
    std::chrono::milliseconds rotate_wait{5000};
  };
  // Where reading starts (see decideStart).
  struct Start {
    FileId id;
    std::string path;
    int fd = -1;  // taken over
    uint64_t offset = 0;
    Fingerprint fp;
    Fingerprint previous_fp;  // what the file held before its last truncation
    uint64_t previous_offset = 0;
  };
  // What read() found.
  enum class Step {
    kMore,       // read a whole chunk: there may be more right away
    kIdle,       // nothing more to read now
    kTruncated,  // shorter than what was read, or its first bytes changed: the caller looks for
                 // a copy holding its last lines (readCopy) or has it start over (restart)
    kRestarted,  // its copy is read to the end: the file is read again from its start
    kMissing,    // closed while idle, and its name holds it no more: the caller looks for it
                 // by inode beside its old name (reopenAt)
  };

  FileFollower(Start start, Settings settings, std::unique_ptr<LineSink> sink,
               ReadCounters* counters, Clock::time_point now);
  ~FileFollower();
  FileFollower(const FileFollower&) = delete;
  FileFollower& operator=(const FileFollower&) = delete;

  // Reads one chunk (at most buffer.size() bytes) and passes its lines on.
  Step read(std::span<char> buffer, Clock::time_point now);

  // Checks size and first bytes before the next read (the file changed, or may have).
  void verifyNext() { verify_ = true; }
  // After kTruncated: reads the file's last lines from its copy at `copy_path` first, from
  // where reading stopped. False when the copy cannot be opened (then restart()).
  bool readCopy(const std::string& copy_path);
  // After kTruncated without a copy: the file is read again from its start.
  void restart();
  // After kMissing: the file was found at `path`. False when it cannot be opened there.
  bool reopenAt(const std::string& path);
  // A copy of this file takes over its content from `offset`: what is held past it is
  // dropped, and nothing more is read until the truncation shows (or rotate_wait passed).
  void handOver(uint64_t offset, Clock::time_point now);

  // Passes on a last line that has no newline.
  void finishPartialLine();
  // Completes an open event.
  void flushEvent() { sink_->flush(); }
  // Closes the descriptor of an idle file; the next read opens it again.
  void closeIdle();

  const FileId& id() const { return id_; }
  const std::string& path() const { return path_; }
  void setPath(std::string path) { path_ = std::move(path); }
  bool isOpen() const { return fd_ >= 0; }
  // Whether the file it holds open has no name left (deleted).
  bool deleted() const;
  bool readingCopy() const { return resume_fd_ >= 0; }
  bool handedOver() const { return handed_over_; }
  bool hasPartialLine() const { return splitter_.hasPartial(); }
  bool holdsEvent() const { return sink_->pending(); }
  Clock::time_point lastData() const { return last_data_; }
  uint64_t readOffset() const { return read_offset_; }
  // Every byte before this has been turned into records.
  uint64_t done() const { return sink_->safeOffset(); }
  const Fingerprint& fingerprint() const { return fp_; }
  const Fingerprint& previousFingerprint() const { return old_fp_; }
  uint64_t previousOffset() const { return old_offset_; }
  // Where its checkpoint would stand now.
  FilePosition position() const { return positionAt(done()); }
  FilePosition positionAt(uint64_t offset) const { return {offset, fp_, old_fp_, old_offset_}; }

 private:
  bool truncated();
  bool reopen();
  void feedLine(std::string_view line, uint64_t offset, uint64_t end, bool cut);

  FileId id_;
  std::string path_;
  Settings settings_;
  int fd_ = -1;  // -1 while closed for being idle
  uint64_t read_offset_ = 0;
  Fingerprint fp_;  // of the content being read
  // After a copytruncate: the copy is read to its end first (fd_), then the truncated original
  // (resume_fd_) from its start.
  int resume_fd_ = -1;
  std::string copy_path_;
  // What was read of the content before the last truncation, so that a copy of it found later
  // starts where reading stopped.
  Fingerprint old_fp_;
  uint64_t old_offset_ = 0;
  LineSplitter splitter_;
  std::unique_ptr<LineSink> sink_;
  ReadCounters* counters_;
  Clock::time_point last_data_;
  bool verify_ = true;
  bool handed_over_ = false;
  Clock::time_point handed_over_since_{};
};

}  // namespace homeo
