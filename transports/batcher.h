#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/level.h"
#include "config/config.h"
#include "transports/transport.h"

namespace homeo {

// Groups serialized records into batches. A batch is sealed and handed to `dispatch` when it
// holds max_records records, when its bytes reach max_bytes (the record that crosses the limit
// stays in it, so a batch exceeds max_bytes by at most one record), when max_wait_ms has passed
// since its first record, or on flush(). Batches are numbered 1, 2, 3... in seal order.
//
// Single-threaded: every method and the timer run on the one event-loop executor. `dispatch`
// is called synchronously from add()/flush() or from the timer handler.
class Batcher {
 public:
  using Dispatch = std::function<void(std::shared_ptr<const Batch>)>;

  Batcher(boost::asio::any_io_executor executor, const config::BatchConfig& config,
          Dispatch dispatch);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Appends a record (one JSON object, no newline) to the open batch and returns the seq of the
  // batch it went into (always the openSeq() from before the call). May seal and dispatch.
  uint64_t add(std::string record_json, Level level);
  // The same with the record's service and tags, for the transports' routing filters.
  uint64_t add(std::string record_json, Level level, std::string_view service,
               const std::vector<std::string>& tags);

  // Seals and dispatches the open batch now, if it holds any record.
  void flush();

  // The seq the next added record will get.
  uint64_t openSeq() const { return open_->seq; }
  // The seq of the last dispatched batch; 0 before the first.
  uint64_t lastSealedSeq() const { return open_->seq - 1; }
  size_t pendingRecords() const { return open_->records.size(); }
  size_t pendingBytes() const { return open_->bytes; }

 private:
  void seal();
  void startTimer();
  uint64_t append(std::string record_json, Level level);

  boost::asio::steady_timer timer_;
  config::BatchConfig config_;
  Dispatch dispatch_;
  std::shared_ptr<Batch> open_;
  // Expires with the Batcher, so that a timer handler already queued does not touch it.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace homeo
