#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transports/append_file.h"
#include "transports/homeostasis/archive_file.h"
#include "transports/homeostasis/error_window.h"
#include "transports/record_keys.h"
#include "transports/threaded_transport.h"

namespace homeo {

struct HomeostasisOptions {
  enum class Mode {
    kWindow,  // the file holds the newest distinct errors, rewritten whole; all in the archive
    kAppend,  // records are appended to the file (shared with Homeostasis' own logger)
  };
  std::string path;  // absolute
  Mode mode = Mode::kWindow;
  size_t window = 10;
  std::string archive;  // window mode; default: path + ".archive"
  uint64_t archive_max_bytes = uint64_t{64} << 20;
  uint32_t archive_keep = 5;
};

// Type "homeostasis": writes records where and as Homeostasis' orchestrator reads them (its
// `monitoring.log_file`, read by modules/monitoring/extractor.py): one JSON record per line,
// `timestamp` in naive local time as Homeostasis' own logger writes it, the zoned time kept as
// `timestamp_utc` (appendHomeostasisLine).
//
// Window mode (default): the orchestrator's extract_errors(limit=N) takes the first N matching
// lines of the file, so the file holds the newest distinct errors, newest first (ErrorWindow:
// `window` entries at ERROR or CRITICAL, the levels the orchestrator asks for). It is rewritten
// whole for every batch that changes it: a temporary file beside it, fsync, rename over it,
// fsync of the directory, so a reader sees the old window or the new one. After a restart the
// window is read back from the file; a file holding lines that are not JSON records is not
// overwritten (another program writes it: use append mode there) and the batch is retried. Every
// record, at any level the route lets through, is first appended to the archive (ArchiveFile,
// rotated by size), so nothing leaves the window unrecorded.
//
// Append mode: records are appended to the file, which may be Homeostasis' own
// logs/homeostasis.log (its logger's `... - LEVEL - {json}` lines and our JSON lines read alike,
// and naive times on both keep its sorting working); a failed write is never cut back there.
//
// In both modes a batch is kAccepted only once everything it wrote is fdatasync'ed; a failure is
// retryable and takes back what it wrote. Records read from the transport's own files (the daemon
// following them) are not written back, which would loop.
class HomeostasisTransport final : public ThreadedTransport {
 public:
  HomeostasisTransport(boost::asio::any_io_executor loop, HomeostasisOptions options);
  ~HomeostasisTransport() override;

  std::string_view type() const override { return "homeostasis"; }
  bool localDestination() const override { return true; }
  const HomeostasisOptions& options() const { return options_; }

 protected:
  SendResult deliver(const Batch& batch, std::string& reason) override;
  void close() override;

 private:
  // One record of a batch as it is written.
  struct Line {
    std::string text;         // the line (no newline); empty: not written
    std::string key;          // ErrorWindow::entryKey
    bool windowable = false;  // a JSON object with its naive time: may enter the window
  };

  // Fills lines_ from the batch's records.
  void rewrite(const Batch& batch);
  bool loadWindow(std::string& reason);
  bool writeWindow(const ErrorWindow& window, std::string& reason);
  bool ownFile(std::string_view source_path) const;

  const HomeostasisOptions options_;
  RecordKeyReader keys_;                  // worker thread only, like everything below
  std::vector<Line> lines_;               // reused per batch
  std::string joined_;                    // the written lines, each ending in '\n'
  std::unique_ptr<AppendFile> append_;    // append mode
  std::unique_ptr<ArchiveFile> archive_;  // window mode
  ErrorWindow window_;
  bool window_loaded_ = false;
  std::string real_path_;  // realpath of `path` once it exists, for ownFile()
  bool warned_loop_ = false;
  bool warned_unreadable_ = false;
};

TransportFactory homeostasisTransportFactory();

}  // namespace homeo
