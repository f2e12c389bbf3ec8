#include "tail/settler.h"

#include "tail/file_identity.h"

namespace homeo {

Settler::Verdict Settler::look(const Look& file, Clock::time_point now,
                               std::chrono::system_clock::time_point wall,
                               const std::function<bool()>& copy_incomplete) {
  if (file.initial && wall - std::chrono::system_clock::from_time_t(file.mtime) > kUntouched) {
    return {true, true, file.size};  // untouched for a while: nobody is writing it
  }
  auto [it, fresh] =
      settling_.try_emplace(file.id, Settling{file.size, now, file.initial, file.size});
  const auto waited = now - it->second.since;
  // Whole when its size held still, and it is at least a fingerprint long (or it is a small
  // file that simply stays small).
  bool ready = !fresh && ((it->second.size == file.size && file.size >= kFingerprintBytes) ||
                          waited >= kSettleMax);
  // Not whole while it is shorter than what was read of the content it copies (logrotate may
  // stall between two looks on a busy host); that wait has a longer bound.
  if (ready && waited < kSettleMaxCopy && copy_incomplete && copy_incomplete()) ready = false;
  if (!ready) {
    it->second.size = file.size;
    return {};
  }
  const Verdict v{true, it->second.initial, it->second.first_size};
  settling_.erase(it);
  return v;
}

void Settler::keepOnly(const std::set<FileId>& seen) {
  for (auto it = settling_.begin(); it != settling_.end();) {
    it = seen.count(it->first) ? std::next(it) : settling_.erase(it);
  }
}

}  // namespace homeo
