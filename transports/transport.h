#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/level.h"
#include "config/config.h"
#include "transports/route.h"

namespace homeo {

// A batch of serialized records on its way to the transports. Immutable once sealed, shared
// by every transport it is sent to.
struct Batch {
  uint64_t seq = 0;                  // increasing per process; acknowledgement order
  std::vector<std::string> records;  // one JSON object each, no newline
  std::vector<Level> levels;         // levels[i] of records[i], for routing
  // routes[i]: service and tags of records[i], for routing. May be empty (then records have no
  // service and no tags as far as filters are concerned).
  std::vector<RecordRoute> routes;
  size_t bytes = 0;  // sum of record sizes

  // The records as NDJSON (one per line, each line ending in \n).
  std::string ndjson() const;
};

enum class SendResult {
  kAccepted,   // the destination has the batch durably
  kRetryable,  // try again later (the transport's own retry gave up for now)
  kPermanent,  // the destination rejects the batch for good
};

// A record the destination rejected for good while it took the rest of its batch (one that
// answers per record): its index in Batch::records and why.
struct RejectedRecord {
  size_t index = 0;
  std::string reason;
};

// The completion of a send: done(result, reason), or done(result, reason, retry_after) when the
// destination said how long to wait before the next attempt (HTTP Retry-After); the Dispatcher
// then waits at least that long. done.partlyRejected(rejected) when the destination took the
// batch except some records, which it rejected for good. Built from any callable taking
// (SendResult, std::string), (SendResult, std::string, std::chrono::milliseconds) or those and
// std::vector<RejectedRecord> (the rejected records, empty unless partlyRejected was called).
class SendDone {
 public:
  using Fn = std::function<void(SendResult, std::string, std::chrono::milliseconds,
                                std::vector<RejectedRecord>)>;

  SendDone() = default;
  SendDone(std::nullptr_t) {}  // NOLINT: like std::function
  template <typename F>
  requires std::invocable<F&, SendResult, std::string, std::chrono::milliseconds,
                          std::vector<RejectedRecord>>
  SendDone(F f)  // NOLINT: implicit, like std::function
      : fn_(std::move(f)), takes_rejections_(true) {}
  template <typename F>
  requires(!std::invocable<F&, SendResult, std::string, std::chrono::milliseconds,
                           std::vector<RejectedRecord>> &&
           std::invocable<F&, SendResult, std::string, std::chrono::milliseconds>)
      SendDone(F f)  // NOLINT: implicit, like std::function
      : fn_([f = std::move(f)](SendResult result, std::string reason,
                               std::chrono::milliseconds retry_after,
                               std::vector<RejectedRecord>) mutable {
          f(result, std::move(reason), retry_after);
        }) {}
  template <typename F>
  requires(!std::invocable<F&, SendResult, std::string, std::chrono::milliseconds> &&
           std::invocable<F&, SendResult, std::string>)
      SendDone(F f)  // NOLINT: implicit, like std::function
      : fn_([f = std::move(f)](SendResult result, std::string reason, std::chrono::milliseconds,
                               std::vector<RejectedRecord>) mutable {
          f(result, std::move(reason));
        }) {}

  void operator()(SendResult result, std::string reason,
                  std::chrono::milliseconds retry_after = std::chrono::milliseconds(0)) const {
    fn_(result, std::move(reason), retry_after, {});
  }
  // The destination holds the batch except `rejected` (not empty, by increasing index), which
  // it rejected for good. A completion that does not take rejected records gets kPermanent for
  // the whole batch instead (with the first rejection's reason), so none is dropped unnoticed.
  void partlyRejected(std::vector<RejectedRecord> rejected) const;
  explicit operator bool() const { return static_cast<bool>(fn_); }

 private:
  Fn fn_;
  bool takes_rejections_ = false;
};

// A destination for records. send() is called on the event loop and must not block it; the
// transport calls `done` exactly once, on the event loop's executor, when the batch is
// accepted or has failed. Calls may overlap only if the transport says so (maxInFlight()).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::string_view type() const = 0;
  virtual void send(std::shared_ptr<const Batch> batch, SendDone done) = 0;
  virtual size_t maxInFlight() const { return 1; }
  // Writes to this host's own disks (a file, an SQLite database). The Dispatcher does not spool
  // such a destination for being slow, since the spool would sit on a disk as busy and only add
  // a write; it still spools one that fails.
  virtual bool localDestination() const { return false; }
  // Ends background work; pending sends complete (with kRetryable) before it returns.
  virtual void stop() {}

  // Which records this transport wants (the options every transport has: min_level, services,
  // tags). Set by the registry when it builds the transport; the Dispatcher applies it.
  const RouteFilter& route() const { return route_; }
  void setRoute(RouteFilter route) { route_ = std::move(route); }
  // Its disk spool (the options every transport has), set by the registry like route().
  const SpoolOptions& spoolOptions() const { return spool_; }
  void setSpoolOptions(SpoolOptions spool) { spool_ = spool; }

 private:
  RouteFilter route_;
  SpoolOptions spool_;
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
  // The options every transport has (routeOptionKeys()) are taken out before it is called.
  std::function<std::unique_ptr<Transport>(const TransportContext& ctx,
                                           const config::TransportConfig& cfg,
                                           std::vector<config::Diagnostic>& diags)>
      create;
};

class TransportRegistry {
 public:
  // Registers a factory. Its create() is wrapped so that the options common to every transport
  // (see transports/route.h) are parsed here, once, and set on the transport it builds.
  void add(TransportFactory factory);
  const TransportFactory* find(std::string_view type) const;
  const std::vector<TransportFactory>& all() const { return factories_; }

 private:
  std::vector<TransportFactory> factories_;
};

// Registers every built-in transport (transports/builtin.cc: the one place to add one).
void registerBuiltinTransports(TransportRegistry& registry);

}  // namespace homeo
