#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transports/backoff.h"
#include "transports/transport.h"

namespace homeo {

// Where batches a transport rejected for good go (a FileTransport on
// state_dir/dead-letter.jsonl): one JSON line per record, {"transport":..,"reason":..,
// "record":{..}}. A write that fails is retried with backoff until the sink holds it, so a
// rejected record is never lost.
class DeadLetter {
 public:
  DeadLetter(boost::asio::any_io_executor executor, std::unique_ptr<Transport> sink,
             Backoff& backoff);
  ~DeadLetter();
  DeadLetter(const DeadLetter&) = delete;
  DeadLetter& operator=(const DeadLetter&) = delete;

  // Writes `batch`'s records, rejected by `transport` for `reason`; done(records) once the sink
  // holds them.
  void write(const Batch& batch, std::string_view transport, std::string_view reason,
             std::function<void(size_t records)> done);
  // The same for the records of `batch` its destination rejected alone, each with its reason.
  void write(const Batch& batch, std::string_view transport,
             const std::vector<RejectedRecord>& rejected, std::function<void(size_t records)> done);
  // Retries waiting out their backoff go now (a drain).
  void cutShort();
  void stop();

  // The dead-letter lines of a rejected batch (their seq is the rejected one's).
  static std::shared_ptr<const Batch> lines(const Batch& batch, std::string_view transport,
                                            std::string_view reason);
  static std::shared_ptr<const Batch> lines(const Batch& batch, std::string_view transport,
                                            const std::vector<RejectedRecord>& rejected);

 private:
  void send(std::shared_ptr<const Batch> lines, std::string transport,
            std::function<void(size_t)> done, unsigned attempt);

  boost::asio::any_io_executor executor_;
  std::unique_ptr<Transport> sink_;
  Backoff& backoff_;
  std::list<boost::asio::steady_timer> retries_;
  bool stopped_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace homeo
