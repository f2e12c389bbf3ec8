#include "tail/start_position.h"

#include <algorithm>

#include <fmt/format.h>

namespace homeo {

namespace {

bool isFollowed(std::span<const FollowedFile> followed, FileId id) {
  return std::any_of(followed.begin(), followed.end(),
                     [&](const FollowedFile& f) { return f.id == id; });
}

// Where a copy (its first bytes matching those of content read before) starts: where reading
// of that content stopped. nullopt when it copies nothing known.
std::optional<StartDecision> copyStart(const NewFile& file, const CheckpointStore& checkpoints,
                                       std::span<const FollowedFile> followed,
                                       std::span<const Checkpoint> orphans) {
  const Fingerprint& fp = file.fp;
  StartDecision d;
  for (const auto& f : followed) {
    // From what the follower has turned into records, not what it has read: its open event may
    // not be emitted yet, and the copy's checkpoint must not pass it.
    if (!f.gone && f.fp == fp && f.done > file.size) {
      // Everything the copy holds was read already (lines written between logrotate's copy and
      // its truncation are not in the copy).
      d.offset = file.size;
      d.note =
          fmt::format("{} is a copy of {}, all read; reading it from its end", file.path, f.path);
      return d;
    }
    if (!f.gone && f.fp == fp) {
      d.offset = f.done;
      d.handover_from = f.id;
      d.handover_at = f.done;
      d.note =
          fmt::format("{} is a copy of {}; reading it from offset {}", file.path, f.path, f.done);
      return d;
    }
    if (f.old_fp == fp) {
      d.offset = std::min(f.old_offset, file.size);
      d.note = fmt::format("{} is a copy of what {} held; reading it from offset {}", file.path,
                           f.path, d.offset);
      return d;
    }
  }
  for (const auto& o : orphans) {
    if (o.fp_len == fp.len && o.fp_hash == fp.hash && o.offset <= file.size) {
      d.offset = o.offset;
      d.note = fmt::format("{} is a copy of what {} held; reading it from offset {}", file.path,
                           o.path, o.offset);
      return d;
    }
  }
  if (auto cp = checkpoints.findByFingerprint(fp.len, fp.hash);
      cp && !isFollowed(followed, {cp->dev, cp->ino}) && cp->offset <= file.size) {
    d.offset = cp->offset;
    d.note = fmt::format("{} is a copy of {}; reading it from offset {}", file.path, cp->path,
                         cp->offset);
    return d;
  }
  // A copy of what a file held before its last truncation, the copy not checkpointed yet (the
  // daemon stopped before its first acknowledgement).
  if (auto cp = checkpoints.findByPreviousFingerprint(fp.len, fp.hash);
      cp && cp->prev_offset <= file.size) {
    d.offset = cp->prev_offset;
    d.note = fmt::format("{} is a copy of what {} held; reading it from offset {}", file.path,
                         cp->path, cp->prev_offset);
    return d;
  }
  return std::nullopt;
}

}  // namespace

StartDecision decideStart(const NewFile& file, const CheckpointStore& checkpoints,
                          std::span<const FollowedFile> followed,
                          std::span<const Checkpoint> orphans) {
  StartDecision d;
  if (auto cp = checkpoints.find(file.id.dev, file.id.ino)) {
    if (file.matches_checkpoint) {
      d.offset = cp->offset <= file.size ? cp->offset : 0;
      if (cp->prev_fp_len > 0) {
        d.previous_fp = {cp->prev_fp_len, cp->prev_fp_hash};  // for a copy of it found later
        d.previous_offset = cp->prev_offset;
      }
      return d;
    }
    // Same inode, other content: truncated (copytruncate while we were stopped) or reused.
    // What was written after the checkpoint may be in a copy beside it.
    d.note = fmt::format("{} holds new content under a known inode; reading it from the start",
                         file.path);
    d.replaced = *cp;
    return d;
  }
  if (file.fp.len >= kMinCopyFingerprintBytes) {
    if (auto copy = copyStart(file, checkpoints, followed, orphans)) return *copy;
  }
  if (file.read_from_end && !checkpoints.existed()) {
    d.offset = std::min(file.size, file.size_at_start);
  }
  return d;
}

}  // namespace homeo
