#include "daemon/throttle/occurrence_throttle.h"

#include <algorithm>

#include "common/timeutil.h"

namespace homeo {

bool OccurrenceThrottle::admit(const ErrorRecord& r, const config::ThrottleConfig& cfg,
                               int64_t now_ms) {
  if (!cfg.enabled) return true;
  auto it = windows_.find(r.fingerprint);
  if (it == windows_.end()) {
    if (windows_.size() >= kMaxWindows) return true;  // too many errors at once to track
    it = windows_.emplace(r.fingerprint, Window{}).first;
    it->second.opened_ms = now_ms;
    it->second.closes_ms = now_ms + cfg.window_ms;
  }
  Window& w = it->second;
  if (w.sent < cfg.limit) {
    ++w.sent;
    return true;
  }
  return false;
}

void OccurrenceThrottle::suppress(ErrorRecord& r, FileId file, int64_t now_ms,
                                  const std::function<uint64_t()>& hold) {
  Window& w = windows_[r.fingerprint];
  const int64_t at = r.time != 0 ? r.time / 1000000 : now_ms;
  if (w.counted == 0) {
    w.first_at_ms = at;
    w.order = ++next_order_;
  }
  ++w.counted;
  ++throttled_;
  w.last_at_ms = at;
  if (std::none_of(w.holds.begin(), w.holds.end(), [&](const Hold& h) { return h.file == file; })) {
    w.holds.push_back({file, hold()});
  }
  std::swap(w.last, r);
}

std::vector<OccurrenceThrottle::Summary> OccurrenceThrottle::expire(int64_t now_ms, bool all) {
  std::vector<std::pair<uint64_t, Summary>> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window& w = it->second;
    if (!all && w.closes_ms > now_ms) {
      ++it;
      continue;
    }
    if (w.counted > 0) {
      Summary s;
      s.count = w.counted;
      s.holds = std::move(w.holds);
      s.record = std::move(w.last);
      JsonObject occ;
      occ.emplace_back("count", JsonValue(w.counted));
      occ.emplace_back("first_at", JsonValue(formatRfc3339(w.first_at_ms * 1000000)));
      occ.emplace_back("last_at", JsonValue(formatRfc3339(w.last_at_ms * 1000000)));
      setField(s.record.metadata_extra, "occurrences", JsonValue(std::move(occ)));
      ++summaries_;
      out.emplace_back(w.order, std::move(s));
    }
    if (all && w.closes_ms > now_ms) {
      // A drain (a reload or a stop): the window goes on in the next generation, with what was
      // counted in it summarised now.
      w.counted = 0;
      w.holds.clear();
      w.last = ErrorRecord{};
      ++it;
    } else {
      it = windows_.erase(it);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Summary> summaries;
  summaries.reserve(out.size());
  for (auto& [order, s] : out) summaries.push_back(std::move(s));
  return summaries;
}

}  // namespace homeo
