#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/level.h"

namespace homeo {

// The daemon's end of `homeostasisd tap`: a Unix socket (in state_dir, owner only) where a
// client sends one filter line (TapFilter) and then receives every sealed record that
// matches it, one JSON object per line, as the daemon batches it. Lines starting with '#'
// are notices for the client's stderr. A tap never slows delivery down: each client has a
// bounded queue, and records that do not fit are dropped for that client (counted, and
// announced to it in a notice once it has caught up). Runs on the event loop.
class TapServer {
 public:
  struct Limits {
    size_t max_clients = 8;
    size_t max_queued_bytes = 4 << 20;  // per client
    std::chrono::milliseconds request_deadline{5000};
  };

  struct Stats {
    size_t clients = 0;     // subscribed now
    uint64_t accepted = 0;  // connections accepted
    uint64_t refused = 0;   // over max_clients, or no valid request in time
    uint64_t records = 0;   // records written to clients (each client counts)
    uint64_t dropped = 0;   // records a slow client missed
  };

  explicit TapServer(boost::asio::any_io_executor executor);
  TapServer(boost::asio::any_io_executor executor, Limits limits);
  ~TapServer();  // closes the clients and removes the socket file

  // Binds the socket at `path` (replacing a stale socket file nobody answers on) and starts
  // accepting. False with *error set when it cannot (the path is too long for a socket,
  // another daemon answers there, the directory is not writable).
  bool listen(const std::string& path, std::string* error);
  void stop();

  // Whether any client is subscribed: publish() is only worth its cost then.
  bool active() const;
  // Hands one record (its JSON, no newline) to every subscribed client whose filter takes it.
  void publish(std::string_view json, std::string_view service, Level level,
               std::string_view fingerprint);
  Stats stats() const;

  struct Registry;  // shared with the connections, which may outlive the server

 private:
  void accept();

  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::shared_ptr<Registry> registry_;
  std::string path_;  // the socket file this server created
};

}  // namespace homeo
