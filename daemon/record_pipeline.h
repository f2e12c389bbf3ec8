#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/record.h"
#include "daemon/context/context_provider.h"
#include "daemon/scrub/scrubber.h"

namespace homeo {

// What happens to a parsed record before it is batched: context providers add what they
// know, then the scrubber runs over every string, then it is serialized. Shared by the
// daemon and the one-shot `parse` command so both produce the same records.
class RecordPipeline {
 public:
  RecordPipeline(std::vector<std::unique_ptr<ContextProvider>> providers,
                 std::unique_ptr<Scrubber> scrubber,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(50))
      : providers_(std::move(providers)), scrubber_(std::move(scrubber)), timeout_(timeout) {}

  // Starts the providers' sampling (on an interval for the daemon, once for `parse`) and
  // waits for their first samples, at most the provider timeout in all.
  void start(bool periodic) {
    for (auto& p : providers_) p->start(periodic);
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    for (auto& p : providers_) p->waitReady(deadline);
  }

  // Appends the finished record's JSON (no newline) to out.
  void finish(ErrorRecord& r, std::string& out) {
    for (auto& p : providers_) p->apply(r);
    if (scrubber_) scrubber_->scrubRecord(r);
    serializeRecord(r, out);
  }

  // Null when scrubbing is off.
  Scrubber* scrubber() { return scrubber_.get(); }
  const std::vector<std::unique_ptr<ContextProvider>>& providers() const { return providers_; }

 private:
  std::vector<std::unique_ptr<ContextProvider>> providers_;
  std::unique_ptr<Scrubber> scrubber_;
  std::chrono::milliseconds timeout_;
};

}  // namespace homeo
