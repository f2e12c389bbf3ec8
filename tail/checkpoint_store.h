#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tail/checkpoint_file.h"

namespace homeo {

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
  const std::map<std::string, JournalCheckpoint>& journals() const { return content_.journals; }
  void set(const Checkpoint& c);
  const std::map<std::pair<uint64_t, uint64_t>, Checkpoint>& all() const { return content_.files; }
  // Whether a checkpoint file existed when load() ran: false on the very first start, the
  // only time `read_from` decides where existing files are read from.
  bool existed() const { return existed_; }
  void erase(uint64_t dev, uint64_t ino);
  size_t size() const { return content_.files.size(); }  // files only
  const std::string& path() const { return file_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string file_;
  CheckpointFile content_;
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
