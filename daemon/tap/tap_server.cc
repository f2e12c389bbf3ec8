#include "daemon/tap/tap_server.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "daemon/tap/tap_filter.h"

namespace homeo {
namespace {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

constexpr size_t kRequestLimit = 4096;

class Client;

}  // namespace

struct TapServer::Registry {
  Limits limits;
  Stats stats;
  bool stopped = false;  // the server is gone: accept handlers must not touch it
  std::vector<std::shared_ptr<Client>> subscribed;
};

namespace {

// One connection: reads its filter line, then writes the records that match until either end
// closes it.
class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(local::socket socket, std::shared_ptr<TapServer::Registry> registry)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        registry_(std::move(registry)) {}

  void start() {
    timer_.expires_after(registry_->limits.request_deadline);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock(); self && !self->subscribed_ && !self->closing_) {
        ++self->registry_->stats.refused;
        self->close();
      }
    });
    asio::async_read_until(socket_, asio::dynamic_buffer(request_, kRequestLimit), '\n',
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       size_t n) { self->onRequest(ec, n); });
  }

  // Writes a notice and closes once it is out.
  void refuse(std::string notice) {
    ++registry_->stats.refused;
    timer_.cancel();
    closing_ = true;
    queue(notice);
  }

  void offer(std::string_view json, std::string_view service, Level level,
             std::string_view fingerprint) {
    if (!filter_.matches(service, level, fingerprint)) return;
    if (queued_.size() + json.size() + 1 > registry_->limits.max_queued_bytes) {
      ++dropped_;
      ++registry_->stats.dropped;
      return;
    }
    if (dropped_ > 0) {
      queued_ += "# " + std::to_string(dropped_) +
                 " records dropped: the tap read more slowly than the daemon batched\n";
      dropped_ = 0;
    }
    queued_.append(json).push_back('\n');
    ++registry_->stats.records;
    if (!writing_) flush();
  }

  void close() {
    unsubscribe();
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(local::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void onRequest(const boost::system::error_code& ec, size_t n) {
    if (ec) {
      if (ec != asio::error::operation_aborted && ec != asio::error::eof) {
        refuse("# error: no tap request line (at most " + std::to_string(kRequestLimit) +
               " bytes)\n");
      } else {
        close();
      }
      return;
    }
    std::string error;
    auto filter = TapFilter::decode(std::string_view(request_).substr(0, n - 1), &error);
    if (!filter) return refuse("# error: " + error + "\n");
    auto& subs = registry_->subscribed;
    if (subs.size() >= registry_->limits.max_clients) {
      return refuse("# error: " + std::to_string(registry_->limits.max_clients) +
                    " tap clients are attached already\n");
    }
    filter_ = std::move(*filter);
    timer_.cancel();
    subscribed_ = true;
    subs.push_back(shared_from_this());
    registry_->stats.clients = subs.size();
    queue("# tap: subscribed\n");
    watchForClose();
  }

  // The client sends nothing after its request: a read that ends is the client going away.
  void watchForClose() {
    socket_.async_read_some(asio::buffer(sink_), [self = shared_from_this()](
                                                     const boost::system::error_code& ec, size_t) {
      if (ec) return self->close();
      self->watchForClose();
    });
  }

  void queue(std::string_view text) {
    queued_.append(text);
    if (!writing_) flush();
  }

  void flush() {
    writing_ = true;
    writing_buffer_.swap(queued_);
    queued_.clear();
    asio::async_write(socket_, asio::buffer(writing_buffer_),
                      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                        self->writing_ = false;
                        self->writing_buffer_.clear();
                        if (ec) return self->close();
                        if (!self->queued_.empty()) return self->flush();
                        if (self->closing_) self->close();
                      });
  }

  void unsubscribe() {
    if (!subscribed_) return;
    subscribed_ = false;
    auto& subs = registry_->subscribed;
    subs.erase(std::remove(subs.begin(), subs.end(), shared_from_this()), subs.end());
    registry_->stats.clients = subs.size();
  }

  local::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<TapServer::Registry> registry_;
  std::string request_;
  TapFilter filter_;
  std::string queued_;
  std::string writing_buffer_;
  char sink_[256];
  uint64_t dropped_ = 0;
  bool writing_ = false;
  bool subscribed_ = false;
  bool closing_ = false;
};

}  // namespace

TapServer::TapServer(asio::any_io_executor executor) : TapServer(std::move(executor), Limits{}) {}

TapServer::TapServer(asio::any_io_executor executor, Limits limits)
    : acceptor_(executor), registry_(std::make_shared<Registry>()) {
  registry_->limits = limits;
}

TapServer::~TapServer() { stop(); }

bool TapServer::listen(const std::string& path, std::string* error) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    *error = "tap socket path " + path + " is longer than a Unix socket allows (" +
             std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes)";
    return false;
  }
  const local::endpoint ep(path);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      *error = "tap socket path " + path + " exists and is not a socket";
      return false;
    }
    local::socket probe(acceptor_.get_executor());
    boost::system::error_code ec;
    probe.connect(ep, ec);
    if (!ec) {
      *error = "another daemon answers on the tap socket " + path;
      return false;
    }
    ::unlink(path.c_str());  // left by a daemon that did not stop cleanly
  }
  boost::system::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.bind(ep, ec);
  // Owner only: records are scrubbed, but they are still the applications' errors. (The
  // state directory is not open to others either, so the moment before the chmod is safe.)
  if (!ec && ::chmod(path.c_str(), 0600) != 0) {
    ec.assign(errno, boost::system::system_category());
  }
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on the tap socket " + path + ": " + ec.message();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return false;
  }
  path_ = path;
  accept();
  return true;
}

void TapServer::accept() {
  acceptor_.async_accept(
      [this, registry = registry_](const boost::system::error_code& ec, local::socket socket) {
        if (ec == asio::error::operation_aborted || registry->stopped) return;
        if (!ec) {
          ++registry->stats.accepted;
          auto client = std::make_shared<Client>(std::move(socket), registry);
          client->start();
        }
        if (acceptor_.is_open()) accept();
      });
}

void TapServer::stop() {
  registry_->stopped = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  auto subs = registry_->subscribed;  // close() edits the list
  for (auto& c : subs) c->close();
  if (!path_.empty()) {
    ::unlink(path_.c_str());
    path_.clear();
  }
}

bool TapServer::active() const { return !registry_->subscribed.empty(); }

void TapServer::publish(std::string_view json, std::string_view service, Level level,
                        std::string_view fingerprint) {
  for (auto& c : registry_->subscribed) c->offer(json, service, level, fingerprint);
}

TapServer::Stats TapServer::stats() const { return registry_->stats; }

}  // namespace homeo
