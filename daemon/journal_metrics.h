#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "daemon/journal_input.h"
#include "daemon/prometheus.h"

namespace homeo {

// The journald inputs' families of /metrics, labelled `input` with the input's position in
// `inputs:` (as the file inputs' are). Nothing when there are no journald inputs.
void writeJournalMetrics(PrometheusText& out, const config::Config& cfg,
                         const std::vector<std::unique_ptr<JournalInput>>& journals);

}  // namespace homeo
