#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

namespace homeo {

// A small HTTP/1.1 server on the event loop for /metrics and /health. Each request is
// answered by `handler` and the connection closed; requests are bounded in size and time and
// connections in number, so a slow or hostile client cannot hold the loop or the endpoint.
class MetricsServer {
 public:
  struct Response {
    int status = 200;
    std::string content_type = "text/plain; version=0.0.4; charset=utf-8";
    std::string body;
  };
  using Handler = std::function<Response(std::string_view target)>;

  struct Limits {
    // Connections open at once. At the limit, a new connection closes the oldest one that has
    // not yet sent a complete request; when none has (all are being answered), the new one is
    // closed at once.
    size_t max_connections = 64;
    // From accept to a complete request (not per read: a client sending a byte a second is
    // cut), and again for writing the answer.
    std::chrono::milliseconds request_deadline{5000};
    // The request line and headers together; beyond it 414 (the request line alone is too
    // long) or 431.
    uint32_t header_limit = 8192;
    // A request body; beyond it 413.
    uint64_t body_limit = 4096;
  };

  // Why a request got no metric or health answer: the `reason` label of
  // homeostasisd_metrics_requests_rejected_total.
  enum class Rejection {
    kTimeout,
    kUriTooLong,
    kHeaderTooLarge,
    kBodyTooLarge,
    kBadRequest,
    kMethod,
    kNotFound,
  };
  static constexpr size_t kRejections = 7;
  static std::string_view rejectionName(Rejection r);

  struct Stats {
    size_t open = 0;
    uint64_t accepted = 0;
    uint64_t refused = 0;          // closed at once: the limit was reached and none could be closed
    uint64_t evicted = 0;          // closed, not yet a complete request, to make room for a new one
    uint64_t accept_failures = 0;  // accept() failed (out of descriptors, say); retried later
    std::array<uint64_t, kRejections> rejected{};  // by Rejection
    uint64_t rejectedFor(Rejection r) const { return rejected[static_cast<size_t>(r)]; }
  };

  MetricsServer(boost::asio::any_io_executor executor, Handler handler);
  MetricsServer(boost::asio::any_io_executor executor, Handler handler, Limits limits);
  ~MetricsServer();

  // Binds HOST:PORT ([v6]:PORT for IPv6; port 0 picks a free one) and starts accepting.
  bool listen(const std::string& host_port, std::string* error);
  uint16_t port() const { return port_; }
  void stop();
  Stats stats() const;

  // The connections and counters, shared with the connections (which may outlive the server).
  struct Registry;

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after a failed accept (out of descriptors, say)
  std::shared_ptr<Handler> handler_;
  std::shared_ptr<Registry> registry_;
  uint16_t port_ = 0;
};

}  // namespace homeo
