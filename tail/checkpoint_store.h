#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace homeo {

// Where reading of one file stopped, keyed by the file's identity (device and inode).
struct Checkpoint {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t offset = 0;
  uint32_t fp_len = 0;  // fingerprint of the content (see file_identity.h)
  uint64_t fp_hash = 0;
  std::string path;  // the name it had when last saved (for people and for rotation)
  // What the file held before its last truncation (copytruncate), read and acknowledged up to
  // prev_offset: a copy of that content found later (also after a restart) is read from there.
  // prev_fp_len is 0 when the file was never truncated.
  uint64_t prev_offset = 0;
  uint32_t prev_fp_len = 0;
  uint64_t prev_fp_hash = 0;
};

// Where a journal input (`type: journald`) stopped. Every entry up to `done` (a cursor; empty:
// none) is done except those in `held` (cursors of entries whose records are not acknowledged
// yet: open events, the batch in flight), which are read again from `resume`, the cursor of
// the entry before the oldest held one (`done` when none is held). Entries of several
// processes are interleaved in the journal, so what is done is no prefix of it: without the
// held list a restart would repeat every record made after the oldest open event.
struct JournalCheckpoint {
  std::string resume;
  std::string done;
  uint64_t done_realtime_usec = 0;  // bounds the skipping, should `done` have been vacuumed
  std::vector<std::string> held;
  bool operator==(const JournalCheckpoint&) const = default;
};

// The checkpoints in state_dir/checkpoints. Saved atomically (temp file, fsync, rename,
// fsync of the directory) so a crash leaves either the old or the new file, never a mix.
// A corrupt file is reported and set aside, never a crash loop.
class CheckpointStore {
 public:
  explicit CheckpointStore(std::string state_dir);

  // Reads the file; returns false with *error on a problem (the store is then empty, and the
  // bad file is renamed to checkpoints.corrupt for inspection).
  bool load(std::string* error);
  // Writes the file if anything changed since the last save.
  bool save(std::string* error);
  // The file's content if anything changed since the last save or snapshot (then counted as
  // saved), for writing elsewhere with writeCheckpointFile(); nullopt when nothing changed.
  std::optional<std::string> snapshot();

  std::optional<Checkpoint> find(uint64_t dev, uint64_t ino) const;
  // Journal inputs, keyed by the journal and units they read (an empty checkpoint: the input
  // reads from the journal's head).
  std::optional<JournalCheckpoint> findJournal(const std::string& key) const;
  void setJournal(const std::string& key, const JournalCheckpoint& checkpoint);
  const std::map<std::string, JournalCheckpoint>& journals() const { return journals_; }
  void set(const Checkpoint& c);
  const std::map<std::pair<uint64_t, uint64_t>, Checkpoint>& all() const { return entries_; }
  // Whether a checkpoint file existed when load() ran: false on the very first start, the
  // only time `read_from` decides where existing files are read from.
  bool existed() const { return existed_; }
  void erase(uint64_t dev, uint64_t ino);
  size_t size() const { return entries_.size(); }  // files only
  const std::string& path() const { return file_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string file_;
  std::map<std::pair<uint64_t, uint64_t>, Checkpoint> entries_;
  std::map<std::string, JournalCheckpoint> journals_;
  bool dirty_ = false;
  bool existed_ = false;
};

// Replaces `file` (in directory `dir`) by `data` atomically: temp file, fsync, rename, fsync of
// the directory. Blocks; *error says why it failed.
bool writeCheckpointFile(const std::string& dir, const std::string& file, const std::string& data,
                         std::string* error);

// Creates state_dir if missing and checks that it can be written; *error says why not.
bool prepareStateDir(const std::string& dir, std::string* error);

}  // namespace homeo
