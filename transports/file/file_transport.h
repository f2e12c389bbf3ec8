#pragma once

#include <string>
#include <string_view>

#include "transports/append_file.h"
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
  const std::string& path() const { return file_.path(); }
  bool fsyncEnabled() const { return file_.fsyncEnabled(); }

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override;
  void close() override;

 private:
  AppendFile file_;  // worker thread only
};

TransportFactory fileTransportFactory();

}  // namespace homeo
