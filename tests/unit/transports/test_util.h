#pragma once

#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "config/config.h"
#include "tests/unit/test_support.h"
#include "transports/transport.h"

namespace homeo::testing {

inline std::shared_ptr<const Batch> makeBatch(uint64_t seq, std::vector<std::string> records) {
  auto batch = std::make_shared<Batch>();
  batch->seq = seq;
  for (auto& r : records) {
    batch->bytes += r.size();
    batch->levels.push_back(Level::kError);
    batch->records.push_back(std::move(r));
  }
  return batch;
}

// An option mapping as config would decode it from YAML, each value a scalar on its own line.
inline config::OptionMap makeOptions(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  config::OptionValue map;
  map.kind = config::OptionValue::Kind::kMap;
  map.where = {"test.yaml", 2, 5};
  int line = 3;
  for (const auto& [key, scalar] : entries) {
    config::OptionValue value;
    value.kind = config::OptionValue::Kind::kScalar;
    value.scalar = scalar;
    value.where = {"test.yaml", line, 7 + static_cast<int>(key.size())};
    map.entries.emplace_back(key, std::move(value));
    map.key_locations.push_back({"test.yaml", line, 5});
    ++line;
  }
  return config::OptionMap(std::move(map));
}

inline config::TransportConfig makeTransportConfig(
    std::string type, const std::vector<std::pair<std::string, std::string>>& entries) {
  config::TransportConfig cfg;
  cfg.where = {"test.yaml", 1, 3};
  cfg.type = std::move(type);
  cfg.options = makeOptions(entries);
  return cfg;
}

}  // namespace homeo::testing
