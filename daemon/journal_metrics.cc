#include "daemon/journal_metrics.h"

#include <string>
#include <utility>

namespace homeo {

void writeJournalMetrics(PrometheusText& out, const config::Config& cfg,
                         const std::vector<std::unique_ptr<JournalInput>>& journals) {
  if (journals.empty()) return;
  std::vector<std::pair<std::string, JournalInput::Stats>> all;
  for (const auto& j : journals) {
    all.emplace_back(std::to_string(static_cast<size_t>(&j->input() - cfg.inputs.data())),
                     j->stats());
  }
  auto each = [&](const std::string& name, const char* type, const char* help, auto value) {
    out.family(name, type, help);
    for (const auto& [input, st] : all) {
      out.sample({{"input", input}}, static_cast<uint64_t>(value(st)));
    }
  };
  using S = const JournalInput::Stats&;
  each("homeostasisd_journal_entries_read_total", "counter", "Journal entries read.",
       [](S s) { return s.sink.entries; });
  each("homeostasisd_journal_message_bytes_total", "counter",
       "Bytes of the MESSAGE fields of the journal entries read.",
       [](S s) { return s.sink.bytes; });
  each("homeostasisd_journal_entries_without_message_total", "counter",
       "Journal entries without a MESSAGE field (nothing to read).",
       [](S s) { return s.sink.without_message; });
  each("homeostasisd_journal_lines_truncated_total", "counter",
       "Lines of journal messages longer than max_line_bytes, cut.",
       [](S s) { return s.sink.truncated; });
  each("homeostasisd_journal_read_errors_total", "counter",
       "Failures to open or read the journal (retried).", [](S s) { return s.read_errors; });
  each("homeostasisd_journal_open", "gauge", "1 while the input's journal is open.",
       [](S s) { return s.open ? 1 : 0; });
  each("homeostasisd_journal_sources", "gauge",
       "Processes (boot, unit, pid) whose entries are being assembled into events.",
       [](S s) { return s.sources; });
  each("homeostasisd_checkpoint_lag_entries", "gauge",
       "Journal entries read but not yet acknowledged and checkpointed, per input.",
       [](S s) { return s.lag_entries; });
}

}  // namespace homeo
