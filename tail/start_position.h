#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tail/checkpoint_store.h"
#include "tail/file_id.h"
#include "tail/file_identity.h"

namespace homeo {

// A file about to be followed, as the caller found it.
struct NewFile {
  FileId id;
  std::string_view path;
  uint64_t size = 0;
  ContentPrefix content;  // its first bytes now
  // Whether its first bytes still match the fingerprint of its own checkpoint (if it has one).
  bool matches_checkpoint = false;
  // Found by the first scan after a start with no checkpoint file, in an input whose
  // read_from is `end`: read from its end as of the start (size_at_start).
  bool read_from_end = false;
  uint64_t size_at_start = 0;
};

// A file being followed, as far as deciding where another one starts needs to know.
struct FollowedFile {
  FileId id;
  std::string_view path;
  Fingerprint fp;     // of the content being read
  uint64_t done = 0;  // every byte before it has been turned into records
  bool gone = false;  // no longer at any path of its input
  // What it held before its last truncation, read up to old_offset.
  Fingerprint old_fp;
  uint64_t old_offset = 0;
};

// Where a new file starts, and what the caller must do besides.
struct StartDecision {
  uint64_t offset = 0;
  // Why, for the log; empty when the start is unremarkable.
  std::string note;
  // The file's checkpoint is of other content (the inode was truncated or reused while the
  // daemon was stopped): the caller drops it, keeps it as an orphan (a copy of that content
  // found later starts where it says) and looks for such a copy beside the file.
  std::optional<Checkpoint> replaced;
  // The file is a copy of a followed one (copytruncate into a name the globs match) and takes
  // over from `handover_at`: the caller makes that follower drop what it holds past there and
  // wait for its truncation, so that the same lines do not become records twice.
  std::optional<FileId> handover_from;
  uint64_t handover_at = 0;
  // What the file held before its last truncation, from its checkpoint (len 0: nothing).
  Fingerprint previous_fp;
  uint64_t previous_offset = 0;
};

// Decides where reading of a file not followed yet starts: its checkpoint when the content is
// the same; where reading of the content it copies stopped (a copytruncate copy of a followed
// file, of an orphaned checkpoint, of a checkpointed file, or of what a file held before its
// last truncation); else its start, or its end when read_from says so. Acts on nothing.
// A file is a copy of content whose fingerprint (at least kMinCopyFingerprintBytes long) its
// first bytes match: the content may have grown since that fingerprint was taken.
// `followed` is in the order followers are looked at; the first that fits decides.
StartDecision decideStart(const NewFile& file, const CheckpointStore& checkpoints,
                          std::span<const FollowedFile> followed,
                          std::span<const Checkpoint> orphans);

}  // namespace homeo
