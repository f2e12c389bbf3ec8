#include "daemon/self_metrics.h"

#include <cstdio>

#include "daemon/journal_metrics.h"

namespace homeo {

void BatchLatency::acked(uint64_t seq, Clock::time_point now) {
  while (!sealed_at_.empty() && sealed_at_.front().first <= seq) {
    latency_.observe(std::chrono::duration<double>(now - sealed_at_.front().second).count());
    sealed_at_.pop_front();
  }
}

MetricsServer::Response SelfMetrics::serve(std::string_view target) const {
  MetricsServer::Response r;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    r.body = metrics();
  } else if (path == "/health") {
    r.content_type = "text/plain; charset=utf-8";
    std::string why;
    for (const auto& t : s_.dispatcher.stats()) {
      if (t.failing) why += "transport " + t.type + " is failing; ";
    }
    if (s_.dispatcher.saturated()) why += "transports are not keeping up; reading is paused; ";
    if (why.empty()) {
      r.body = "ok\n";
    } else {
      r.status = 503;
      r.body = why + "\n";
    }
  } else {
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "try /metrics or /health\n";
  }
  return r;
}

std::string SelfMetrics::metrics() const {
  PrometheusText out;
  auto inputLabel = [&](const config::InputConfig* in) {
    return std::to_string(in ? static_cast<size_t>(in - s_.cfg.inputs.data()) : 0);
  };
  const auto& read = s_.tailer.counters();
  out.family("homeostasisd_bytes_read_total", "counter", "Bytes read from log files.");
  for (const auto& [in, st] : read) out.sample({{"input", inputLabel(in)}}, st.bytes);
  out.family("homeostasisd_lines_read_total", "counter", "Lines read from log files.");
  for (const auto& [in, st] : read) out.sample({{"input", inputLabel(in)}}, st.lines);
  out.family("homeostasisd_lines_truncated_total", "counter",
             "Lines longer than max_line_bytes, cut.");
  for (const auto& [in, st] : read) out.sample({{"input", inputLabel(in)}}, st.truncated);
  out.family("homeostasisd_records_total", "counter", "Error records produced.");
  for (const auto& [key, n] : s_.records.by_format_level) {
    out.sample({{"format", key.first}, {"level", std::string(levelName(key.second))}}, n);
  }
  const ParseTotals::Sum totals = s_.parsing.sum();
  out.family("homeostasisd_events_total", "counter", "Log events assembled (lines grouped).");
  out.sample({}, totals.events);
  out.family("homeostasisd_events_below_level_total", "counter",
             "Events below the minimum level, dropped.");
  out.sample({}, totals.below_level);
  out.family("homeostasisd_parse_failures_total", "counter",
             "Events their file's format could not parse (read as text).");
  out.sample({}, totals.unmatched);
  if (auto* scrubber = s_.pipeline.scrubber()) {
    out.family("homeostasisd_scrubbed_total", "counter", "Secret values scrubbed, per rule.");
    for (const auto& rc : scrubber->counters()) {
      out.sample({{"rule", std::string(rc.name)}}, rc.count);
    }
  }
  const auto stats = s_.dispatcher.stats();
  out.family("homeostasisd_transport_records_total", "counter",
             "Records per transport and outcome.");
  for (size_t i = 0; i < stats.size(); ++i) {
    const auto& t = stats[i];
    const std::string idx = std::to_string(i);
    const std::pair<const char*, uint64_t> outcomes[] = {
        {"sent", t.sent_records},       {"failed", t.failed_records},
        {"retried", t.retried_records}, {"spooled", t.spooled_records},
        {"dropped", t.dropped_records}, {"dead_lettered", t.dead_lettered_records},
        {"skipped", t.skipped_records}, {"quarantined", t.quarantined_records}};
    for (const auto& [name, n] : outcomes) {
      out.sample({{"transport", idx}, {"type", t.type}, {"outcome", name}}, n);
    }
  }
  out.family("homeostasisd_transport_spool_bytes", "gauge",
             "Bytes in each transport's disk spool.");
  for (size_t i = 0; i < stats.size(); ++i) {
    out.sample({{"transport", std::to_string(i)}, {"type", stats[i].type}}, stats[i].spool_bytes);
  }
  out.family("homeostasisd_spool_quarantined_total", "counter",
             "Spool batch files that failed their check at replay, moved to quarantine/.");
  for (size_t i = 0; i < stats.size(); ++i) {
    out.sample({{"transport", std::to_string(i)}, {"type", stats[i].type}},
               stats[i].quarantined_batches);
  }
  out.family("homeostasisd_transport_failing", "gauge",
             "1 while a transport's last send failed (retryable) and none succeeded since.");
  for (size_t i = 0; i < stats.size(); ++i) {
    out.sample({{"transport", std::to_string(i)}, {"type", stats[i].type}},
               uint64_t{stats[i].failing ? 1u : 0u});
  }
  out.family("homeostasisd_transport_queued_batches", "gauge",
             "Batches not yet acknowledged by every transport.");
  out.sample({}, s_.dispatcher.queuedBatches());
  out.histogram("homeostasisd_batch_latency_seconds",
                "From a batch being sealed to every transport acknowledging it.",
                s_.latency.histogram());
  out.family("homeostasisd_files_watched", "gauge", "Files followed.");
  out.sample({}, s_.tailer.files());
  out.family("homeostasisd_files_open", "gauge", "Followed files with an open descriptor.");
  out.sample({}, s_.tailer.openFiles());
  out.family("homeostasisd_checkpoint_lag_bytes", "gauge",
             "Bytes read but not yet acknowledged and checkpointed, per input.");
  for (const auto& [in, n] : s_.tailer.checkpointLag()) {
    out.sample({{"input", inputLabel(in)}}, n);
  }
  out.family("homeostasisd_checkpoint_writes_total", "counter",
             "Checkpoint files written (atomically replaced).");
  out.sample({}, s_.tracker.writes());
  out.family("homeostasisd_checkpoint_write_failures_total", "counter",
             "Checkpoint file writes that failed (retried).");
  out.sample({}, s_.tracker.writeFailures());
  if (s_.journals) writeJournalMetrics(out, s_.cfg, *s_.journals);
  out.family("homeostasisd_records_first_seen_total", "counter",
             "Records whose fingerprint this host had never seen (metadata.first_seen): new "
             "errors.");
  out.sample({}, s_.records.first_seen);
  if (s_.throttle) {
    out.family("homeostasisd_records_throttled_total", "counter",
               "Occurrences of an error beyond its limit per window, counted into a summary "
               "record instead of sent each (since the daemon started).");
    out.sample({}, s_.throttle->throttled());
    out.family("homeostasisd_throttle_summaries_total", "counter",
               "Summary records sent for throttled errors (metadata.occurrences).");
    out.sample({}, s_.throttle->summaries());
    out.family("homeostasisd_throttle_windows", "gauge",
               "Errors (fingerprints) with an open throttle window.");
    out.sample({}, uint64_t{s_.throttle->windows()});
  }
  if (s_.seen) {
    out.family("homeostasisd_seen_fingerprints", "gauge",
               "Fingerprints this host remembers for first_seen (state_dir/seen).");
    out.sample({}, uint64_t{s_.seen->size()});
    out.family("homeostasisd_seen_damaged_lines_total", "counter",
               "Lines of state_dir/seen that could not be read at start (skipped).");
    out.sample({}, s_.seen->damagedLines());
    out.family("homeostasisd_seen_write_failures_total", "counter",
               "Failed writes of state_dir/seen (retried at its next rewrite).");
    out.sample({}, s_.seen->writeFailures());
  }
  if (listener_) {
    const MetricsServer::Stats ls = listener_->stats();
    out.family("homeostasisd_metrics_connections_open", "gauge",
               "Connections open to the metrics listener.");
    out.sample({}, uint64_t{ls.open});
    out.family("homeostasisd_metrics_connections_accepted_total", "counter",
               "Connections accepted by the metrics listener.");
    out.sample({}, ls.accepted);
    out.family("homeostasisd_metrics_connections_evicted_total", "counter",
               "Connections closed before a complete request, at the connection limit, to make "
               "room for a new one.");
    out.sample({}, ls.evicted);
    out.family("homeostasisd_metrics_connections_refused_total", "counter",
               "Connections closed at once: at the limit and every connection being answered.");
    out.sample({}, ls.refused);
    out.family("homeostasisd_metrics_accept_failures_total", "counter",
               "Connections the metrics listener failed to accept (retried after 100 ms).");
    out.sample({}, ls.accept_failures);
    out.family("homeostasisd_metrics_requests_rejected_total", "counter",
               "Requests not answered with a metric or health, by reason.");
    for (size_t i = 0; i < MetricsServer::kRejections; ++i) {
      const auto why = static_cast<MetricsServer::Rejection>(i);
      out.sample({{"reason", std::string(MetricsServer::rejectionName(why))}}, ls.rejectedFor(why));
    }
  }
  if (tap_) {
    const TapServer::Stats ts = tap_->stats();
    out.family("homeostasisd_tap_clients", "gauge", "`homeostasisd tap` clients attached.");
    out.sample({}, uint64_t{ts.clients});
    out.family("homeostasisd_tap_records_total", "counter",
               "Records handed to tap clients (each client counts), by outcome: sent, or "
               "dropped because the client read too slowly.");
    out.sample({{"outcome", "sent"}}, ts.records);
    out.sample({{"outcome", "dropped"}}, ts.dropped);
  }
  return out.take();
}

std::string SelfMetrics::statusLine() {
  const auto now = std::chrono::steady_clock::now();
  const double secs = std::chrono::duration<double>(now - status_at_).count();
  const uint64_t total = s_.records.total;
  const double rate = secs > 0 ? static_cast<double>(total - status_records_) / secs : 0;
  status_at_ = now;
  status_records_ = total;
  char buf[160];
  std::snprintf(buf, sizeof buf, "following %zu files, %.1f records/s, %llu records sent",
                s_.tailer.files(), rate, static_cast<unsigned long long>(total));
  return buf;
}

}  // namespace homeo
