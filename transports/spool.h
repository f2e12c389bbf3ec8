#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/serial_worker.h"

#include "transports/spool_file.h"
#include "transports/transport.h"

namespace homeo {

// A transport's crash-safe disk spool: a directory of batch files (named by a rising id and the
// record count), each written to a temporary name, fsynced and renamed, so that a file that
// exists is complete. The index (ids, sizes) lives on the event loop; the file work runs in
// order on one worker thread and completes on the loop.
//
// The batch files' format (a header line with the body's length and checksum, then NDJSON) is
// in spool_file.h. Read back, a file whose header does not match its body (cut short, longer,
// checksum mismatch, an unknown header), an empty file, and a file without a header whose lines
// are not all JSON objects (foreign) are moved to <dir>/quarantine/ (never deleted) and reported
// as quarantined.
class Spool {
 public:
  enum class Policy { kBlock, kDropOldest };
  struct Entry {
    uint64_t id;
    size_t records;
    uint64_t bytes;
    bool written;
  };

  Spool(boost::asio::any_io_executor loop, std::string dir, uint64_t max_bytes, Policy policy);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Creates the directory and loads what an earlier run left (blocking; at start-up).
  bool open(std::string& error);

  // See spoolHeader(), spoolHeaderSize() and checkSpoolFile().
  static std::string header(std::string_view body) { return spoolHeader(body); }
  static size_t headerSize(uint64_t body_bytes) { return spoolHeaderSize(body_bytes); }
  static std::string check(std::string_view data, std::string_view& body) {
    return checkSpoolFile(data, body);
  }

  bool empty() const { return entries_.empty(); }
  uint64_t bytes() const { return bytes_; }
  const std::deque<Entry>& entries() const { return entries_; }

  // Makes room for `bytes`: true when it fits (drop_oldest may delete written files other than
  // the `keep_front` one; their records are added to `dropped`). False: over the cap (block).
  bool reserve(uint64_t bytes, bool keep_front, size_t& dropped);
  // Writes a batch as the newest file and returns its id; done(ok, error) on the loop. A failed
  // write keeps its place: write it again with `rewrite_id` set to that id.
  uint64_t append(std::shared_ptr<const Batch> batch,
                  std::function<void(bool ok, std::string error)> done, uint64_t rewrite_id = 0);
  // Reads the oldest file; done(batch or null, error, quarantined) on the loop. The batch has
  // seq 0. Null with quarantined set: the file failed its check and is now in quarantine/;
  // null without: it could not be read, or not moved (it stays where it is).
  void readOldest(
      std::function<void(std::shared_ptr<const Batch>, std::string error, bool quarantined)> done);
  // Deletes the oldest file.
  void removeOldest();
  // Takes the oldest file out of the index, leaving the file alone (quarantined or unreadable).
  void forgetOldest();
  // Finishes the file work queued so far and stops the worker.
  void stop();

 private:
  void post(std::function<void()> job);
  std::string pathOf(const Entry& e) const;

  boost::asio::any_io_executor loop_;
  const std::string dir_;
  const uint64_t max_bytes_;
  const Policy policy_;
  std::deque<Entry> entries_;  // oldest first
  uint64_t bytes_ = 0;
  uint64_t next_id_ = 1;

  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  // The file work, in order. Its queue is bounded by the Dispatcher: at most one read, and
  // one write per batch it has not finished.
  SerialWorker worker_;
};

}  // namespace homeo
