#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
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
  bool operator==(const Checkpoint&) const = default;
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

// The content of a checkpoint file (state_dir/checkpoints).
struct CheckpointFile {
  std::map<std::pair<uint64_t, uint64_t>, Checkpoint> files;  // by (dev, ino)
  std::map<std::string, JournalCheckpoint> journals;          // by the input's key
  bool operator==(const CheckpointFile&) const = default;
};

// Reads the text of a checkpoint file, without any I/O (the loader and its fuzz target share
// it). False with *error (the line and what is wrong with it) when the text is not a whole
// checkpoint file as formatCheckpoints() writes it; `out` is then empty.
bool parseCheckpoints(std::string_view text, CheckpointFile& out, std::string* error);

// The text of a checkpoint file holding `content`.
std::string formatCheckpoints(const CheckpointFile& content);

}  // namespace homeo
