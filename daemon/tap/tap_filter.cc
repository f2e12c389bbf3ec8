#include "daemon/tap/tap_filter.h"

namespace homeo {
namespace {

constexpr std::string_view kMagic = "TAP1";

bool plain(std::string_view s) { return s.find_first_of("\t\r\n") == std::string_view::npos; }

}  // namespace

std::string TapFilter::encode() const {
  std::string out(kMagic);
  if (!service.empty()) out.append("\tservice=").append(service);
  if (min_level) out.append("\tlevel=").append(levelName(*min_level));
  if (!fingerprint.empty()) out.append("\tfingerprint=").append(fingerprint);
  out += '\n';
  return out;
}

bool TapFilter::valid(std::string* error) const {
  if (!plain(service)) {
    *error = "a service name with a tab or a line end cannot be tapped";
    return false;
  }
  if (!plain(fingerprint)) {
    *error = "a fingerprint with a tab or a line end cannot be tapped";
    return false;
  }
  return true;
}

std::optional<TapFilter> TapFilter::decode(std::string_view line, std::string* error) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.substr(0, kMagic.size()) != kMagic ||
      (line.size() > kMagic.size() && line[kMagic.size()] != '\t')) {
    *error = "not a tap request";
    return std::nullopt;
  }
  TapFilter f;
  line.remove_prefix(kMagic.size());
  while (!line.empty()) {
    line.remove_prefix(1);  // the tab
    const size_t end = line.find('\t');
    const std::string_view field = line.substr(0, end);
    line = end == std::string_view::npos ? std::string_view() : line.substr(end);
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) {
      *error = "tap request field without '=': " + std::string(field);
      return std::nullopt;
    }
    const std::string_view key = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    if (key == "service") {
      f.service = value;
    } else if (key == "fingerprint") {
      f.fingerprint = value;
    } else if (key == "level") {
      f.min_level = parseLevel(value);
      if (!f.min_level) {
        *error = "unknown level in tap request: " + std::string(value);
        return std::nullopt;
      }
    } else {
      *error = "unknown tap request field: " + std::string(key);
      return std::nullopt;
    }
  }
  return f;
}

}  // namespace homeo
