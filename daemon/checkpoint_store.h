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

  std::optional<Checkpoint> find(uint64_t dev, uint64_t ino) const;
  // A checkpoint whose content fingerprint is (fp_len, fp_hash).
  std::optional<Checkpoint> findByFingerprint(uint32_t fp_len, uint64_t fp_hash) const;
  void set(const Checkpoint& c);
  const std::map<std::pair<uint64_t, uint64_t>, Checkpoint>& all() const { return entries_; }
  // Whether a checkpoint file existed when load() ran: false on the very first start, the
  // only time `read_from` decides where existing files are read from.
  bool existed() const { return existed_; }
  void erase(uint64_t dev, uint64_t ino);
  size_t size() const { return entries_.size(); }
  const std::string& path() const { return file_; }

 private:
  std::string dir_;
  std::string file_;
  std::map<std::pair<uint64_t, uint64_t>, Checkpoint> entries_;
  bool dirty_ = false;
  bool existed_ = false;
};

// Creates state_dir if missing and checks that it can be written; *error says why not.
bool prepareStateDir(const std::string& dir, std::string* error);

}  // namespace homeo
