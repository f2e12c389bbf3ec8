#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>

namespace homeo {

// Exponential backoff with jitter: the delay after the n-th consecutive failure is
// initial * multiplier^(n-1), capped, then scaled by a random factor in [1 - jitter, 1 + jitter]
// (and capped again).
class Backoff {
 public:
  struct Policy {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{30000};
    double multiplier = 2.0;
    double jitter = 0.2;
  };

  explicit Backoff(Policy policy) : policy_(policy), rng_(std::random_device{}()) {}

  std::chrono::milliseconds delay(unsigned attempt) {
    const double cap = static_cast<double>(policy_.max.count());
    double d = static_cast<double>(policy_.initial.count()) *
               std::pow(policy_.multiplier, static_cast<double>(attempt > 0 ? attempt - 1 : 0));
    d = std::min(d, cap);
    if (policy_.jitter > 0) {
      std::uniform_real_distribution<double> factor(1.0 - policy_.jitter, 1.0 + policy_.jitter);
      d = std::min(d * factor(rng_), cap);
    }
    return std::chrono::milliseconds(static_cast<int64_t>(std::max(d, 0.0)));
  }
  std::chrono::milliseconds max() const { return policy_.max; }

 private:
  Policy policy_;
  std::minstd_rand rng_;
};

}  // namespace homeo
