#include "daemon/metrics_server.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace homeo {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<MetricsServer::Handler> handler)
      : stream_(std::move(socket)), handler_(std::move(handler)) {
    parser_.body_limit(4096);
    parser_.header_limit(8192);
  }

  void start() {
    stream_.expires_after(std::chrono::seconds(5));
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->respond();
                     });
  }

 private:
  void respond() {
    const auto& req = parser_.get();
    MetricsServer::Response r;
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      r.status = 405;
      r.body = "only GET\n";
    } else {
      r = (*handler_)(std::string_view(req.target().data(), req.target().size()));
    }
    res_.version(req.version());
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::server, "homeostasisd");
    res_.set(http::field::content_type, r.content_type);
    res_.keep_alive(false);
    if (req.method() != http::verb::head) res_.body() = std::move(r.body);
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{8192};
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> res_;
  std::shared_ptr<MetricsServer::Handler> handler_;
};

}  // namespace

MetricsServer::MetricsServer(boost::asio::any_io_executor executor, Handler handler)
    : acceptor_(executor), handler_(std::make_shared<Handler>(std::move(handler))) {}

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
  if (!ec) acceptor_.listen(64, ec);
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
    if (!ec) std::make_shared<Session>(std::move(socket), handler_)->start();
    accept();
  });
}

void MetricsServer::stop() {
  boost::system::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
}

}  // namespace homeo
