#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "transports/threaded_transport.h"

namespace homeo {

// Type "stdout": writes each batch as NDJSON to a file descriptor (standard output), from a
// worker thread so that a slow reader never blocks the event loop. No options.
class StdoutTransport final : public ThreadedTransport {
 public:
  // `fd` is borrowed, never closed; tests pass a pipe.
  StdoutTransport(boost::asio::any_io_executor loop, int fd);
  ~StdoutTransport() override;

  std::string_view type() const override { return "stdout"; }

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override;

 private:
  int fd_;
  // A retry of a batch whose write stopped half-way continues where it stopped, so no line is
  // written twice; a batch given up half-way leaves a torn line, ended before the next batch.
  uint64_t current_seq_ = 0;
  size_t current_offset_ = 0;
  bool torn_ = false;
};

TransportFactory stdoutTransportFactory();

}  // namespace homeo
