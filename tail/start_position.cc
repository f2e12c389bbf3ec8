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
  // Whether the file begins with the content `fp` was taken of.
  auto copies = [&](const Fingerprint& fp) {
    return fp.len >= kMinCopyFingerprintBytes && file.content.startsWith(fp);
  };
  StartDecision d;
  for (const auto& f : followed) {
    // From what the follower has turned into records, not what it has read: its open event may
    // not be emitted yet, and the copy's checkpoint must not pass it.
    if (!f.gone && copies(f.fp) && f.done > file.size) {
      // Everything the copy holds was read already (lines written between logrotate's copy and
      // its truncation are not in the copy).
      d.offset = file.size;
      d.note =
          fmt::format("{} is a copy of {}, all read; reading it from its end", file.path, f.path);
      return d;
    }
    if (!f.gone && copies(f.fp)) {
      d.offset = f.done;
      d.handover_from = f.id;
      d.handover_at = f.done;
      d.note =
          fmt::format("{} is a copy of {}; reading it from offset {}", file.path, f.path, f.done);
      return d;
    }
    if (copies(f.old_fp)) {
      d.offset = std::min(f.old_offset, file.size);
      d.note = fmt::format("{} is a copy of what {} held; reading it from offset {}", file.path,
                           f.path, d.offset);
      return d;
    }
  }
  // An orphan holds what its file held when last checkpointed, and before that file's
  // truncation before.
  for (const auto& o : orphans) {
    const bool current = copies({o.fp_len, o.fp_hash}) && o.offset <= file.size;
    if (current || (copies({o.prev_fp_len, o.prev_fp_hash}) && o.prev_offset <= file.size)) {
      d.offset = current ? o.offset : o.prev_offset;
      d.note = fmt::format("{} is a copy of what {} held; reading it from offset {}", file.path,
                           o.path, d.offset);
      return d;
    }
  }
  for (const auto& [key, cp] : checkpoints.all()) {
    const FileId id{cp.dev, cp.ino};
    if (id != file.id && copies({cp.fp_len, cp.fp_hash}) && !isFollowed(followed, id) &&
        cp.offset <= file.size) {
      d.offset = cp.offset;
      d.note = fmt::format("{} is a copy of {}; reading it from offset {}", file.path, cp.path,
                           cp.offset);
      return d;
    }
  }
  // A copy of what a file held before its last truncation, the copy not checkpointed yet (the
  // daemon stopped before its first acknowledgement).
  for (const auto& [key, cp] : checkpoints.all()) {
    if (copies({cp.prev_fp_len, cp.prev_fp_hash}) && cp.prev_offset <= file.size) {
      d.offset = cp.prev_offset;
      d.note = fmt::format("{} is a copy of what {} held; reading it from offset {}", file.path,
                           cp.path, cp.prev_offset);
      return d;
    }
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
    // What was written after the checkpoint may be in a copy beside it. A reused inode may
    // hold a copy of content read before: then it starts where that reading stopped.
    if (auto copy = copyStart(file, checkpoints, followed, orphans)) d = *copy;
    d.note = fmt::format("{} holds new content under a known inode; {}", file.path,
                         d.note.empty() ? "reading it from the start" : d.note);
    d.replaced = *cp;
    d.previous_fp = {};
    d.previous_offset = 0;
    return d;
  }
  if (auto copy = copyStart(file, checkpoints, followed, orphans)) return *copy;
  if (file.read_from_end && !checkpoints.existed()) {
    d.offset = std::min(file.size, file.size_at_start);
  }
  return d;
}

}  // namespace homeo
