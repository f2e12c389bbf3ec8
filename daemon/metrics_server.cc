#include "daemon/metrics_server.h"

#include <algorithm>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string_view>

namespace homeo {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

class Session;

}  // namespace

struct MetricsServer::Registry {
  Limits limits;
  Stats stats;
  std::list<Session*> live;  // in the order accepted
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Registry = MetricsServer::Registry;

  Session(tcp::socket socket, std::shared_ptr<MetricsServer::Handler> handler,
          std::shared_ptr<Registry> registry)
      : stream_(std::move(socket)), handler_(std::move(handler)), registry_(std::move(registry)) {
    parser_.header_limit(registry_->limits.header_limit);
    parser_.body_limit(registry_->limits.body_limit);
    it_ = registry_->live.insert(registry_->live.end(), this);
  }

  ~Session() { unregister(); }

  bool reading() const { return reading_; }

  // Closes the connection; its pending operation ends with operation_aborted.
  void close() {
    unregister();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  void start() {
    // One deadline for the whole request: tcp_stream's expiry is a point in time, not renewed
    // by each read.
    stream_.expires_after(registry_->limits.request_deadline);
    http::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

 private:
  void unregister() {
    if (!registered_) return;
    registered_ = false;
    registry_->live.erase(it_);
  }

  using Rejection = MetricsServer::Rejection;

  void reject(Rejection why) { ++registry_->stats.rejected[static_cast<size_t>(why)]; }

  // Counts the rejection and answers it with its status; the connection closes after.
  void refuse(Rejection why, unsigned version) {
    reject(why);
    MetricsServer::Response r;
    r.content_type = "text/plain; charset=utf-8";
    switch (why) {
      case Rejection::kUriTooLong:
        r.status = 414;
        r.body = "request line too long\n";
        break;
      case Rejection::kHeaderTooLarge:
        r.status = 431;
        r.body = "request headers too large\n";
        break;
      case Rejection::kBodyTooLarge:
        r.status = 413;
        r.body = "request body too large\n";
        break;
      case Rejection::kMethod:
        r.status = 405;
        r.body = "only GET and HEAD\n";
        res_.set(http::field::allow, "GET, HEAD");
        break;
      default:
        r.status = 400;
        r.body = "bad request\n";
        break;
    }
    write(std::move(r), version, false);
  }

  void onRead(beast::error_code ec) {
    reading_ = false;
    if (!ec) return respond();
    if (ec == boost::asio::error::operation_aborted || ec == http::error::end_of_stream ||
        ec == http::error::partial_message || ec == boost::asio::error::connection_reset) {
      return;  // closed to make room, stopped, or the client went away
    }
    if (ec == beast::error::timeout) return reject(Rejection::kTimeout);  // the stream is closed
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      // The parser keeps an unfinished header in the buffer: no line end in it means the
      // request line alone was too long.
      const auto data = buffer_.cdata();
      const std::string_view seen(static_cast<const char*>(data.data()), data.size());
      return refuse(seen.find('\n') == std::string_view::npos ? Rejection::kUriTooLong
                                                              : Rejection::kHeaderTooLarge,
                    11);
    }
    refuse(ec == http::error::body_limit ? Rejection::kBodyTooLarge : Rejection::kBadRequest, 11);
  }

  void respond() {
    const auto& req = parser_.get();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return refuse(Rejection::kMethod, req.version());
    }
    MetricsServer::Response r =
        (*handler_)(std::string_view(req.target().data(), req.target().size()));
    if (r.status == 404) reject(Rejection::kNotFound);
    write(std::move(r), req.version(), req.method() == http::verb::head);
  }

  void write(MetricsServer::Response r, unsigned version, bool head) {
    res_.version(version);
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::server, "homeostasisd");
    res_.set(http::field::content_type, r.content_type);
    res_.keep_alive(false);
    if (!head) res_.body() = std::move(r.body);
    res_.prepare_payload();
    stream_.expires_after(registry_->limits.request_deadline);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> res_;
  std::shared_ptr<MetricsServer::Handler> handler_;
  std::shared_ptr<Registry> registry_;
  std::list<Session*>::iterator it_;
  bool registered_ = true;
  bool reading_ = true;
};

}  // namespace

MetricsServer::MetricsServer(boost::asio::any_io_executor executor, Handler handler, Limits limits)
    : acceptor_(executor),
      retry_(executor),
      handler_(std::make_shared<Handler>(std::move(handler))),
      registry_(std::make_shared<Registry>()) {
  registry_->limits = limits;
}

MetricsServer::MetricsServer(boost::asio::any_io_executor executor, Handler handler)
    : MetricsServer(std::move(executor), std::move(handler), Limits{}) {}

MetricsServer::~MetricsServer() { stop(); }
bool MetricsServer::listen(const std::string& host_port, std::string* error) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) {
    *error = "metrics.listen must be HOST:PORT, got '" + host_port + "'";
    return false;
  }
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(host, ec);
  if (ec) {
    *error = "metrics.listen: '" + host + "' is not an IP address";
    return false;
  }
  const auto port = static_cast<uint16_t>(std::stoul(host_port.substr(colon + 1)));
  const tcp::endpoint ep(addr, port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(tcp::acceptor::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + host_port + ": " + ec.message();
    return false;
  }
  port_ = acceptor_.local_endpoint(ec).port();
  accept();
  return true;
}

void MetricsServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Accepting again at once would spin while the error lasts (EMFILE stays until a
      // descriptor is freed): try again in a moment.
      ++registry_->stats.accept_failures;
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) accept();
      });
      return;
    }
    Registry& reg = *registry_;
    ++reg.stats.accepted;
    if (reg.live.size() >= reg.limits.max_connections) {
      // Make room by closing the oldest connection still short of a complete request (idle
      // or slow), so that a client asking at once, like a health check, is answered.
      auto oldest = std::find_if(reg.live.begin(), reg.live.end(),
                                 [](const Session* s) { return s->reading(); });
      if (oldest != reg.live.end()) {
        ++reg.stats.evicted;
        (*oldest)->close();
      }
    }
    if (reg.live.size() < reg.limits.max_connections) {
      std::make_shared<Session>(std::move(socket), handler_, registry_)->start();
    } else {
      ++reg.stats.refused;
      boost::system::error_code ignored;
      socket.close(ignored);
    }
    accept();
  });
}

void MetricsServer::stop() {
  boost::system::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
  retry_.cancel();
  // Copied: a closed connection leaves the list.
  const std::list<Session*> live = registry_->live;
  for (Session* s : live) s->close();
}

std::string_view MetricsServer::rejectionName(Rejection r) {
  static constexpr std::array<std::string_view, kRejections> kNames = {
      "timeout",     "uri_too_long", "header_too_large", "body_too_large",
      "bad_request", "method",       "not_found"};
  return kNames[static_cast<size_t>(r)];
}

MetricsServer::Stats MetricsServer::stats() const {
  Stats s = registry_->stats;
  s.open = registry_->live.size();
  return s;
}

}  // namespace homeo
