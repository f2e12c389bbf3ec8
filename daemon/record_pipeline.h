#pragma once

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
                 std::unique_ptr<Scrubber> scrubber)
      : providers_(std::move(providers)), scrubber_(std::move(scrubber)) {}

  // Appends the finished record's JSON (no newline) to out.
  void finish(ErrorRecord& r, std::string& out) {
    for (auto& p : providers_) p->apply(r);
    if (scrubber_) scrubber_->scrubRecord(r);
    serializeRecord(r, out);
  }

  Scrubber* scrubber() { return scrubber_.get(); }

 private:
  std::vector<std::unique_ptr<ContextProvider>> providers_;
  std::unique_ptr<Scrubber> scrubber_;
};

}  // namespace homeo
