#include "transports/transport.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace homeo {

std::string Batch::ndjson() const {
  std::string out;
  out.reserve(bytes + records.size());
  for (const auto& record : records) {
    out.append(record);
    out.push_back('\n');
  }
  return out;
}

void TransportRegistry::add(TransportFactory factory) {
  if (find(factory.type) != nullptr) {
    // Two factories for one type is a programming error in builtin.cc: fail loudly.
    spdlog::critical("transport type '{}' registered twice", factory.type);
    std::abort();
  }
  factories_.push_back(std::move(factory));
}

const TransportFactory* TransportRegistry::find(std::string_view type) const {
  for (const auto& factory : factories_) {
    if (factory.type == type) return &factory;
  }
  return nullptr;
}

}  // namespace homeo
