#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/level.h"

namespace homeo {

// Which records a `tap` client wants: a service (exact), a lowest level and a fingerprint
// (exact); an empty part takes every record. It travels from the client to the daemon as
// one line, `TAP1` then tab-separated `key=value` fields (service, level, fingerprint).
struct TapFilter {
  std::string service;
  std::optional<Level> min_level;
  std::string fingerprint;

  bool matches(std::string_view record_service, Level level,
               std::string_view record_fingerprint) const {
    if (!service.empty() && record_service != service) return false;
    if (min_level && level < *min_level) return false;
    return fingerprint.empty() || record_fingerprint == fingerprint;
  }

  // The request line, newline included. A service or fingerprint must not hold a tab or a
  // line end (valid() says).
  std::string encode() const;
  bool valid(std::string* error) const;

  // The filter a request line (without its newline) asks for; nullopt with *error set when
  // the line is not one.
  static std::optional<TapFilter> decode(std::string_view line, std::string* error);
};

}  // namespace homeo
