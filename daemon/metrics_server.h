#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace homeo {

// A small HTTP/1.1 server on the event loop for /metrics and /health. Each request is
// answered by `handler` and the connection closed; requests are bounded in size and time so
// a slow or hostile client cannot hold the loop.
class MetricsServer {
 public:
  struct Response {
    int status = 200;
    std::string content_type = "text/plain; version=0.0.4; charset=utf-8";
    std::string body;
  };
  using Handler = std::function<Response(std::string_view target)>;

  MetricsServer(boost::asio::any_io_executor executor, Handler handler);
  ~MetricsServer();

  // Binds HOST:PORT ([v6]:PORT for IPv6; port 0 picks a free one) and starts accepting.
  bool listen(const std::string& host_port, std::string* error);
  uint16_t port() const { return port_; }
  void stop();

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<Handler> handler_;
  uint16_t port_ = 0;
};

}  // namespace homeo
