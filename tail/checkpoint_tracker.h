#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "tail/ack_marks.h"
#include "tail/checkpoint_store.h"
#include "tail/checkpoint_writer.h"
#include "tail/file_id.h"
#include "tail/file_identity.h"

namespace homeo {

// Where a file's checkpoint would stand: an offset into the content being read, that
// content's fingerprint, and what the file held before its last truncation (read up to
// old_offset), so that a copy of that content found later starts where reading stopped.
struct FilePosition {
  uint64_t offset = 0;
  Fingerprint fp;
  Fingerprint old_fp;
  uint64_t old_offset = 0;
};

// Where a journal input's checkpoint would stand (`at`). `offset` counts the changes of the
// input's state (entries read, events completed) since its start, so that each change can be
// a mark of its own; `entries` is the number of entries read before it (for the lag).
struct JournalPosition {
  uint64_t offset = 0;
  uint64_t entries = 0;
  JournalCheckpoint at;
};

// Owns the checkpoints: the store, the thread that writes them, the marks waiting for
// acknowledgement, the durable watermark and the send gate.
//
// Batches are numbered 1, 2, 3... as they are sealed. For each followed file the reader says
// where each record began and which batch it went into (recorded), and how far the file has
// been turned into records (reached). A mark notes "every byte before this offset is in
// batches up to S"; once every batch up to S is acknowledged (acked), the mark becomes the
// file's checkpoint. Checkpoints are written on the writer's thread; once those of every batch
// up to D are on disk, batches up to D + 1 may be sent (sendableThrough): a crash then repeats
// at most the one batch being delivered.
//
// Single-threaded: every method runs on the loop's executor; the writer's completions are
// posted there.
class CheckpointTracker {
 public:
  CheckpointTracker(boost::asio::any_io_executor loop, std::string state_dir);
  ~CheckpointTracker();
  CheckpointTracker(const CheckpointTracker&) = delete;
  CheckpointTracker& operator=(const CheckpointTracker&) = delete;

  // Reads the checkpoint file; false with *error when it was corrupt (then set aside).
  bool load(std::string* error);
  // The checkpoints as written last (and as changed since), for deciding where files start.
  const CheckpointStore& store() const { return store_; }
  // A checkpoint no longer of any use (its content is gone), or one set without reading (a
  // file skipped for its age, kept at its end).
  void erase(FileId id);
  void set(const Checkpoint& checkpoint);

  // Starts tracking a file read from `at` (its first mark).
  void follow(FileId id, std::string path, const FilePosition& at);
  // The file's name changed (a rename rotation); its checkpoint carries the new one.
  void moved(FileId id, std::string path);
  // A record of the file that begins at `at.offset` went into batch `seq`.
  void recorded(FileId id, const FilePosition& at, uint64_t seq);
  // An event of the file that begins at `offset` went into no batch (held back to be counted
  // into a summary later): the file's checkpoint stays before it until release(). Returns the
  // hold's token (0: the file is not tracked).
  uint64_t hold(FileId id, uint64_t offset);
  // The held event is in batch `seq` now.
  void release(FileId id, uint64_t token, uint64_t seq);
  // Every byte of the file before `at.offset` is in the batches sealed so far or in the open
  // one (or needed no record).
  void reached(FileId id, const FilePosition& at);
  // The file was truncated and is read again from its start: its next mark is new even at an
  // offset marked before.
  void restarted(FileId id);
  // Whether no mark of the file waits for acknowledgement or for its commit.
  bool settled(FileId id) const;
  // Whether the file's newest mark waits for a batch not acknowledged yet.
  bool waitingForAck(FileId id) const;
  // Stops tracking the file; marks already acknowledged become its checkpoint first.
  void forget(FileId id);
  // The offset of the file's last checkpoint (for the lag metric).
  uint64_t committedOffset(FileId id) const;

  // Journal inputs, by their key (see CheckpointStore::setJournal): the same marks as a
  // file's. What a journal input reports as recorded (with the record's event still held) or
  // reached is its whole state: the entries read and those of them still held.
  void followJournal(const std::string& key, const JournalPosition& at);
  void recordedJournal(const std::string& key, const JournalPosition& at, uint64_t seq);
  void reachedJournal(const std::string& key, const JournalPosition& at);
  // A checkpoint set without reading (where an input starts on its first start), kept at once.
  void setJournal(const std::string& key, const JournalCheckpoint& checkpoint);
  // The number of entries read but not yet acknowledged and checkpointed (for the lag metric):
  // `read` is the number of entries read.
  uint64_t journalLag(const std::string& key, uint64_t read) const;

  // Every batch up to `seq` is acknowledged by every transport.
  void acked(uint64_t seq);
  uint64_t ackedThrough() const { return acked_; }
  // Turns acknowledged marks into checkpoints and hands them to the writer (also done on its
  // own, posted, after acked() and after marks at acknowledged batches).
  void commit();
  // Waits (blocking) for the writer to finish what it was given; for shutdown.
  void flush();

  // The send gate: the highest batch that may be delivered now.
  uint64_t sendableThrough() const { return gate_open_ ? UINT64_MAX : durable_ + 1; }
  // Called each time sendableThrough() grows.
  void onGateMoved(std::function<void(uint64_t through)> callback) {
    on_gate_ = std::move(callback);
  }
  // Lets every batch go (a drain: acknowledged batches are committed at its end).
  void openGate();
  uint64_t durableThrough() const { return durable_; }

  uint64_t writes() const { return writer_.writes(); }
  uint64_t writeFailures() const { return writer_.failures(); }

 private:
  struct File {
    std::string path;
    AckMarks<FilePosition> marks;
    uint64_t committed = 0;
  };
  struct Journal {
    AckMarks<JournalPosition> marks;
    uint64_t committed = 0;  // the entries read before the last checkpoint
  };

  bool apply(FileId id, File& file);
  bool apply(const std::string& key, Journal& journal);
  void scheduleCommit();
  void onDurable(uint64_t seq);

  boost::asio::any_io_executor loop_;
  // Expires with the tracker, so that the writer's late completions do nothing.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  CheckpointStore store_;
  CheckpointWriter writer_;
  std::map<FileId, File> files_;
  std::map<std::string, Journal> journals_;
  uint64_t newest_seq_ = 0;  // the batch the newest record went into
  uint64_t acked_ = 0;
  uint64_t durable_ = 0;  // batches up to this one are acknowledged and their checkpoints written
  bool gate_open_ = false;
  bool commit_posted_ = false;
  std::function<void(uint64_t)> on_gate_;
};

}  // namespace homeo
