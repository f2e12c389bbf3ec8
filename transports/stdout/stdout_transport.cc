#include "transports/stdout/stdout_transport.h"

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "transports/fd_write.h"

namespace homeo {

StdoutTransport::StdoutTransport(boost::asio::any_io_executor loop, int fd)
    : ThreadedTransport(std::move(loop)), fd_(fd) {}

StdoutTransport::~StdoutTransport() { stop(); }

SendResult StdoutTransport::deliver(const Batch& batch, std::string& reason) {
  if (batch.seq != current_seq_) {
    if (current_offset_ > 0) torn_ = true;
    current_seq_ = batch.seq;
    current_offset_ = 0;
  }
  int err = 0;
  if (torn_) {
    size_t written = 0;
    err = writeFully(fd_, "\n", written);
    if (err == 0) torn_ = false;
  }
  if (err == 0) {
    const std::string data = batch.ndjson();
    err = writeFully(fd_, std::string_view(data).substr(current_offset_), current_offset_);
  }
  if (err == 0) {
    current_offset_ = 0;
    return SendResult::kAccepted;
  }
  reason = "write to standard output: " + std::generic_category().message(err);
  // Nobody reads standard output any more (EPIPE needs SIGPIPE ignored): retrying cannot help.
  if (err == EPIPE || err == EBADF) return SendResult::kPermanent;
  return SendResult::kRetryable;
}

TransportFactory stdoutTransportFactory() {
  return {
      "stdout",
      "writes records as NDJSON to standard output",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        cfg.options.rejectUnknown({}, "stdout transport", diags);
        if (diags.size() != errors) return nullptr;
        return std::make_unique<StdoutTransport>(ctx.executor, STDOUT_FILENO);
      },
  };
}

}  // namespace homeo
