#include "transports/route.h"

#include <algorithm>

namespace homeo {

bool RouteFilter::wants(Level level, const RecordRoute* route) const {
  if (min_level && level < *min_level) return false;
  if (!services.empty()) {
    if (!route) return false;
    if (std::find(services.begin(), services.end(), route->service) == services.end()) {
      return false;
    }
  }
  if (!tags.empty()) {
    if (!route) return false;
    const bool any = std::any_of(route->tags.begin(), route->tags.end(), [&](const auto& tag) {
      return std::find(tags.begin(), tags.end(), tag) != tags.end();
    });
    if (!any) return false;
  }
  return true;
}

const std::vector<std::string_view>& routeOptionKeys() {
  static const std::vector<std::string_view> keys = {
      "min_level",       "services",     "tags",          "spool",
      "spool_max_bytes", "spool_policy", "spool_after_ms"};
  return keys;
}

config::TransportConfig splitRouteOptions(const config::TransportConfig& cfg, RouteFilter& filter,
                                          SpoolOptions& spool,
                                          std::vector<config::Diagnostic>& diags) {
  const config::OptionMap& options = cfg.options;
  filter = RouteFilter{};
  if (auto level = options.getString("min_level", diags)) {
    filter.min_level = parseLevel(*level);
    if (!filter.min_level) {
      const config::OptionValue* value = options.find("min_level");
      diags.push_back(
          {value ? value->where : options.where(),
           "min_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got '" + *level + "'"});
    }
  }
  if (auto services = options.getStringList("services", diags)) filter.services = *services;
  if (auto tags = options.getStringList("tags", diags)) filter.tags = *tags;

  spool = SpoolOptions{};
  if (auto enabled = options.getBool("spool", diags)) spool.enabled = *enabled;
  if (auto max = options.getInt("spool_max_bytes", diags, 4096, int64_t{1} << 50)) {
    spool.max_bytes = static_cast<uint64_t>(*max);
  }
  if (auto after = options.getInt("spool_after_ms", diags, 0, 86400000)) {
    spool.after = std::chrono::milliseconds(*after);
  }
  if (auto policy = options.getString("spool_policy", diags)) {
    if (*policy == "block") {
      spool.policy = SpoolOptions::Policy::kBlock;
    } else if (*policy == "drop_oldest") {
      spool.policy = SpoolOptions::Policy::kDropOldest;
    } else {
      const config::OptionValue* value = options.find("spool_policy");
      diags.push_back({value ? value->where : options.where(),
                       "spool_policy must be block or drop_oldest, got '" + *policy + "'"});
    }
  }

  config::TransportConfig rest;
  rest.where = cfg.where;
  rest.type = cfg.type;
  config::OptionValue map = options.value();
  if (map.kind == config::OptionValue::Kind::kMap) {
    const auto& keys = routeOptionKeys();
    for (size_t i = map.entries.size(); i-- > 0;) {
      if (std::find(keys.begin(), keys.end(), map.entries[i].first) == keys.end()) continue;
      map.entries.erase(map.entries.begin() + static_cast<std::ptrdiff_t>(i));
      if (i < map.key_locations.size()) {
        map.key_locations.erase(map.key_locations.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  rest.options = config::OptionMap(std::move(map));
  return rest;
}

}  // namespace homeo
