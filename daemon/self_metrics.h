#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/level.h"
#include "common/record.h"
#include "config/config.h"
#include "daemon/journal_input.h"
#include "daemon/metrics_server.h"
#include "daemon/parsing_sink.h"
#include "daemon/prometheus.h"
#include "daemon/record_pipeline.h"
#include "daemon/seen/seen_store.h"
#include "daemon/tap/tap_server.h"
#include "daemon/throttle/occurrence_throttle.h"
#include "tail/checkpoint_tracker.h"
#include "tail/tailer.h"
#include "transports/dispatcher.h"

namespace homeo {

// The records the daemon made, per format and level.
struct RecordCounters {
  std::map<std::pair<std::string, Level>, uint64_t> by_format_level;
  uint64_t total = 0;
  uint64_t first_seen = 0;  // records whose fingerprint this host had never seen
  void count(const ErrorRecord& r) {
    ++by_format_level[{r.format, r.level}];
    ++total;
  }
};

// From a batch being sealed to every transport acknowledging it. Bounded by the dispatcher's
// queue: a batch is sealed only while fewer than its limit are unacknowledged.
class BatchLatency {
 public:
  using Clock = std::chrono::steady_clock;
  void sealed(uint64_t seq, Clock::time_point now) { sealed_at_.emplace_back(seq, now); }
  void acked(uint64_t seq, Clock::time_point now);
  const Histogram& histogram() const { return latency_; }

 private:
  std::deque<std::pair<uint64_t, Clock::time_point>> sealed_at_;
  Histogram latency_{{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}};
};

// The daemon's self-metrics: /metrics (Prometheus text), /health and systemd's STATUS= line,
// read from the stats of the pieces that keep them.
class SelfMetrics {
 public:
  struct Sources {
    const config::Config& cfg;
    const Tailer& tailer;
    const CheckpointTracker& tracker;
    const Dispatcher& dispatcher;
    RecordPipeline& pipeline;
    const RecordCounters& records;
    const ParseTotals& parsing;
    const BatchLatency& latency;
    // The journald inputs (daemon/journal_metrics.h); null: none.
    const std::vector<std::unique_ptr<JournalInput>>* journals = nullptr;
    // The fingerprints seen (null: none kept).
    const SeenStore* seen = nullptr;
    // Occurrence counting per error (null: none).
    const OccurrenceThrottle* throttle = nullptr;
  };
  explicit SelfMetrics(Sources sources) : s_(sources) {}
  // The listener serving these, for its own counters (none while null).
  void setListener(const MetricsServer* listener) { listener_ = listener; }
  // The tap socket, for its counters (none while null).
  void setTap(const TapServer* tap) { tap_ = tap; }

  MetricsServer::Response serve(std::string_view target) const;
  std::string metrics() const;
  // One line for systemd's STATUS=: files followed and records per second since the last call.
  std::string statusLine();

 private:
  Sources s_;
  const MetricsServer* listener_ = nullptr;
  const TapServer* tap_ = nullptr;
  std::chrono::steady_clock::time_point status_at_ = std::chrono::steady_clock::now();
  uint64_t status_records_ = 0;
};

}  // namespace homeo
