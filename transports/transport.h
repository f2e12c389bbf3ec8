#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/level.h"
#include "config/config.h"

namespace homeo {

// A batch of serialized records on its way to the transports. Immutable once sealed, shared
// by every transport it is sent to.
struct Batch {
  uint64_t seq = 0;                  // increasing per process; acknowledgement order
  std::vector<std::string> records;  // one JSON object each, no newline
  std::vector<Level> levels;         // levels[i] of records[i], for routing
  size_t bytes = 0;                  // sum of record sizes

  // The records as NDJSON (one per line, each line ending in \n).
  std::string ndjson() const;
};

enum class SendResult {
  kAccepted,   // the destination has the batch durably
  kRetryable,  // try again later (the transport's own retry gave up for now)
  kPermanent,  // the destination rejects the batch for good
};

using SendDone = std::function<void(SendResult result, std::string reason)>;

// A destination for records. send() is called on the event loop and must not block it; the
// transport calls `done` exactly once, on the event loop's executor, when the batch is
// accepted or has failed. Calls may overlap only if the transport says so (maxInFlight()).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::string_view type() const = 0;
  virtual void send(std::shared_ptr<const Batch> batch, SendDone done) = 0;
  virtual size_t maxInFlight() const { return 1; }
  // Ends background work; pending sends complete (with kRetryable) before it returns.
  virtual void stop() {}
};

// What a factory gets: the event loop's executor and the transport's config.
struct TransportContext {
  boost::asio::any_io_executor executor;
  std::string state_dir;
};

struct TransportFactory {
  std::string type;
  std::string description;
  // Checks options (rejecting unknown keys) and builds the transport; on a problem appends
  // diagnostics and returns null. Must not contact the destination: `check` calls it too.
  std::function<std::unique_ptr<Transport>(const TransportContext& ctx,
                                           const config::TransportConfig& cfg,
                                           std::vector<config::Diagnostic>& diags)>
      create;
};

class TransportRegistry {
 public:
  void add(TransportFactory factory);
  const TransportFactory* find(std::string_view type) const;
  const std::vector<TransportFactory>& all() const { return factories_; }

 private:
  std::vector<TransportFactory> factories_;
};

// Registers every built-in transport (transports/builtin.cc: the one place to add one).
void registerBuiltinTransports(TransportRegistry& registry);

}  // namespace homeo
