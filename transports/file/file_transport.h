#pragma once

#include <string>
#include <string_view>

#include "transports/threaded_transport.h"

namespace homeo {

// Type "file": appends each batch as NDJSON to a file, from a worker thread.
//
// Options: `path` (required, absolute), `fsync` (default true: fdatasync after every batch, so
// kAccepted means on disk). The file is opened on the first batch (O_APPEND, mode 0640, parent
// directories created 0750) and reopened when the path no longer names the open file, so the
// output can be rotated with logrotate (create or copytruncate). A batch whose write fails is cut
// off again (ftruncate) and retried, so the file holds whole lines.
class FileTransport final : public ThreadedTransport {
 public:
  FileTransport(boost::asio::any_io_executor loop, std::string path, bool fsync);
  ~FileTransport() override;

  std::string_view type() const override { return "file"; }
  bool localDestination() const override { return true; }
  const std::string& path() const { return path_; }
  bool fsyncEnabled() const { return fsync_; }

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override;
  void close() override;

 private:
  bool open(std::string& reason);
  void closeFd();
  bool rotated() const;

  const std::string path_;
  const bool fsync_;
  int fd_ = -1;        // worker thread only
  bool torn_ = false;  // a failed write left a partial line that ftruncate could not remove
};

TransportFactory fileTransportFactory();

}  // namespace homeo
