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

void SendDone::partlyRejected(std::vector<RejectedRecord> rejected) const {
  if (takes_rejections_) {
    fn_(SendResult::kAccepted, std::string(), std::chrono::milliseconds(0), std::move(rejected));
    return;
  }
  std::string reason = std::to_string(rejected.size()) +
                       (rejected.size() == 1 ? " record" : " records") + " rejected";
  if (!rejected.empty()) reason += ": " + rejected.front().reason;
  fn_(SendResult::kPermanent, std::move(reason), std::chrono::milliseconds(0), {});
}

void TransportRegistry::add(TransportFactory factory) {
  if (find(factory.type) != nullptr) {
    // Two factories for one type is a programming error in builtin.cc: fail loudly.
    spdlog::critical("transport type '{}' registered twice", factory.type);
    std::abort();
  }
  // The routing options are the same for every transport: parsed here, not in each factory.
  factory.create = [create = std::move(factory.create)](
                       const TransportContext& ctx, const config::TransportConfig& cfg,
                       std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
    const size_t errors = diags.size();
    RouteFilter route;
    SpoolOptions spool;
    const config::TransportConfig own = splitRouteOptions(cfg, route, spool, diags);
    std::unique_ptr<Transport> transport = create(ctx, own, diags);
    if (!transport || diags.size() != errors) return nullptr;
    transport->setRoute(std::move(route));
    transport->setSpoolOptions(spool);
    return transport;
  };
  factories_.push_back(std::move(factory));
}

const TransportFactory* TransportRegistry::find(std::string_view type) const {
  for (const auto& factory : factories_) {
    if (factory.type == type) return &factory;
  }
  return nullptr;
}

}  // namespace homeo
