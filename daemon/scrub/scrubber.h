#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/record.h"

namespace homeo {

// Removes secrets from every string of a record before any transport sees it. One RE2::Set
// pass tells which rules can match a string at all, so text with nothing to scrub costs a
// single scan; only matching rules then rewrite it. Counts what was scrubbed per rule,
// never what it was.
class Scrubber {
 public:
  struct Rule {
    std::string name;
    std::unique_ptr<RE2> re;
    std::string rewrite;  // RE2 rewrite string (\1 … refer to groups)
  };

  // The built-in rules: secrets in key=value and JSON pairs, Authorization headers, bearer
  // tokens, URL user-info passwords, JWTs, cloud and SaaS keys, private key blocks.
  static std::unique_ptr<Scrubber> createDefault();

  // Scrubs one string in place; returns how many values were replaced.
  size_t scrub(std::string& s);
  // Scrubs every string of the record: message, traceback, raw log, frames, context,
  // request/response data, system info, metadata.
  void scrubRecord(ErrorRecord& r);

  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t keyMasks() const { return key_masks_; }

  static constexpr std::string_view kMask = "[REDACTED]";

 private:
  Scrubber() = default;
  void scrubJson(JsonObject& obj);
  void scrubValue(JsonValue& v);
  bool build();

  std::vector<Rule> rules_;
  std::unique_ptr<RE2::Set> set_;
  std::unique_ptr<RE2> secret_key_;  // field names whose values are secret as a whole
  std::vector<uint64_t> counts_;
  uint64_t key_masks_ = 0;
  std::vector<int> hits_;
};

}  // namespace homeo
