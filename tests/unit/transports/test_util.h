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
#include "transports/transport.h"

namespace homeo::testing {

// Runs the loop in short bounded slices until `pred` holds or `limit` passes.
template <typename Pred>
bool runUntil(boost::asio::io_context& io, Pred pred,
              std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Runs every handler that is ready now, without waiting.
inline void runReady(boost::asio::io_context& io) {
  io.restart();
  io.poll();
}

// A temporary directory, removed with what it holds.
struct ScratchDir {
  ScratchDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "homeo-transports-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // Regular files under path/sub, recursively.
  size_t files(const std::string& sub) const {
    size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path + "/" + sub)) {
      n += e.is_regular_file();
    }
    return n;
  }
  std::string path;
};

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
