#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/level.h"
#include "config/config.h"

namespace homeo {

// What routing needs to know about one record besides its level.
struct RecordRoute {
  std::string service;
  std::vector<std::string> tags;
};

// The records one transport wants: options `min_level` (a level name), `services` and `tags`
// (lists; a record passes when its service is listed, and when it carries at least one listed
// tag). Every transport has these options; an empty filter wants everything.
struct RouteFilter {
  std::optional<Level> min_level;
  std::vector<std::string> services;
  std::vector<std::string> tags;

  bool empty() const { return !min_level && services.empty() && tags.empty(); }
  // `route` may be null when the batch carries no routes: no service, no tags.
  bool wants(Level level, const RecordRoute* route) const;
};

// The disk spool of one transport (options `spool`, `spool_max_bytes`, `spool_policy`,
// `spool_after_ms`): once the destination has failed for spool_after_ms, batches go to files
// under state_dir/spool/ and count as acknowledged; they are sent from there, in order, when it
// is back (also after a restart). When the spool is full, `block` leaves batches in memory (the
// daemon stops reading) and `drop_oldest` deletes the oldest spooled batch (counted).
struct SpoolOptions {
  enum class Policy { kBlock, kDropOldest };
  bool enabled = true;
  uint64_t max_bytes = uint64_t{256} << 20;
  Policy policy = Policy::kBlock;
  std::chrono::milliseconds after{5000};
};

// The option keys every transport accepts in addition to its own.
const std::vector<std::string_view>& routeOptionKeys();

// Parses the common options of `cfg` into `filter` and `spool` (problems go to diags) and
// returns the transport's config without them, for its own factory to check.
config::TransportConfig splitRouteOptions(const config::TransportConfig& cfg, RouteFilter& filter,
                                          SpoolOptions& spool,
                                          std::vector<config::Diagnostic>& diags);

}  // namespace homeo
