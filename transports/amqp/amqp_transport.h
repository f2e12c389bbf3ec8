#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/level.h"
#include "transports/threaded_transport.h"

struct amqp_connection_state_t_;
namespace simdjson::dom {
class parser;
}

namespace homeo {

// The parts of an amqp:// or amqps:// URL (parsed by librabbitmq's amqp_parse_url, which
// percent-decodes user, password and vhost).
struct AmqpUrl {
  bool tls = false;
  std::string host;
  int port = 5672;
  std::string user;
  std::string password;
  std::string vhost;  // "/" when the URL names none (also for a bare trailing slash)
};

// Parses `url`; on a problem returns nullopt and sets `error`, which never holds the password.
std::optional<AmqpUrl> parseAmqpUrl(std::string_view url, std::string& error);

// `url` with the password of its user-info replaced by ***, for logs and reasons.
std::string maskUrlPassword(std::string_view url);

// A routing-key word made of `text`: dots (the topic separator), white space and control
// characters become '_'; an empty text becomes "unknown".
std::string routingKeyWord(std::string_view text);

// The `routing_key` option: literal text with the placeholders {service} (the record's service,
// made a routing-key word) and {level} (its level, lower case: error, critical...).
class RoutingKeyTemplate {
 public:
  // Checks `text`: unknown placeholders and unbalanced braces are errors (set in `error`).
  static std::optional<RoutingKeyTemplate> compile(std::string_view text, std::string& error);
  // The key for one record; cut to 255 bytes (the AMQP limit) at a UTF-8 boundary.
  std::string expand(std::string_view service, Level level) const;
  const std::string& text() const { return text_; }

 private:
  enum class Kind { kText, kService, kLevel };
  struct Part {
    Kind kind;
    std::string text;
  };
  std::string text_;
  std::vector<Part> parts_;
};

struct AmqpOptions {
  AmqpUrl url;
  std::string display_url;  // the URL with its password masked
  std::string exchange = "homeostasis";
  std::optional<RoutingKeyTemplate> routing_key;  // always set by the factory
  bool mandatory = false;
  std::chrono::milliseconds timeout{10000};
  int heartbeat_s = 60;
  std::string ca_file;  // amqps: empty means the system's trust store
};

class SocketWatchdog;

// Type "amqp": publishes every record as one persistent message (delivery mode 2,
// application/json) to a topic exchange, from a worker thread with librabbitmq.
//
// The connection is opened on the first batch: login, the exchange declared (topic, durable)
// unless it exists, publisher confirms enabled. A batch is accepted when the broker has
// confirmed (basic.ack) every message of it. A nack, a channel or connection closed by the
// broker, a connection error or `timeout_ms` passing (it bounds the whole attempt, connect
// included) make it retryable and close the connection; the next attempt opens a new one. A
// message returned as unroutable (with `mandatory`) makes the batch retryable too, on the same
// connection. A connection found closed while idle is reopened without failing the batch.
// Delivery is at least once: a batch retried after a partial confirm is published again in
// full. The password is never logged.
class AmqpTransport final : public ThreadedTransport {
 public:
  AmqpTransport(boost::asio::any_io_executor loop, AmqpOptions options);
  ~AmqpTransport() override;

  std::string_view type() const override { return "amqp"; }
  const AmqpOptions& options() const { return options_; }
  // Connections opened so far.
  uint64_t connectionsOpened() const { return connections_.load(); }

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override;
  void close() override;

 private:
  using Clock = std::chrono::steady_clock;

  // Opens conn_ and arms the watchdog once the socket is open; false (and `reason`) on failure.
  bool connect(Clock::time_point deadline, std::string& reason);
  bool stillOpen();
  // Publishes the batch and waits for its confirms; `reusable` tells whether the connection can
  // serve the next batch.
  SendResult publish(const Batch& batch, Clock::time_point deadline, std::string& reason,
                     bool& reusable);
  void dropConnection();

  const AmqpOptions options_;
  std::unique_ptr<SocketWatchdog> watchdog_;
  std::unique_ptr<simdjson::dom::parser> json_;  // worker thread only
  amqp_connection_state_t_* conn_ = nullptr;     // worker thread only
  uint64_t next_tag_ = 0;                        // the last delivery tag used on the channel
  std::atomic<uint64_t> connections_{0};
};

// The top-level "service" and "level" of a serialized record, for batches that carry no routes
// (those replayed from the disk spool hold only the records). Each is left alone when the
// record lacks it; false when the record is not a JSON object.
bool recordServiceAndLevel(simdjson::dom::parser& json, std::string_view record,
                           std::string& service, Level& level);

TransportFactory amqpTransportFactory();

}  // namespace homeo
