#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "common/serial_worker.h"
#include "transports/transport.h"

namespace homeo {

// Base for transports whose work is blocking I/O (write, fsync, a synchronous client library).
// send() queues the batch for one worker thread, which runs deliver() on one batch at a time in
// send order, and posts the completion back to the event loop's executor. The worker starts on
// the first send(), so building the transport (as `check` does) starts no thread.
//
// Derived classes must call stop() in their destructor: the worker may be inside deliver() until
// then. The event loop must outlive the transport's last completion (call stop() before the
// io_context goes away); while sends are pending the loop counts as having work.
class ThreadedTransport : public Transport {
 public:
  explicit ThreadedTransport(boost::asio::any_io_executor loop);
  ~ThreadedTransport() override;
  ThreadedTransport(const ThreadedTransport&) = delete;
  ThreadedTransport& operator=(const ThreadedTransport&) = delete;

  void send(std::shared_ptr<const Batch> batch, SendDone done) final;
  // Lets the worker finish the deliver() it is in, runs close() there and joins it. Every pending
  // send has completed when it returns: delivered ones with their result, the rest kRetryable.
  void stop() final;

 protected:
  // Runs on the worker thread; may block. Sets `reason` when the result is not kAccepted.
  virtual SendResult deliver(const Batch& batch, std::string& reason) = 0;
  // Runs on the worker thread when it stops (if it ever started), after the last deliver().
  virtual void close() {}

 private:
  struct Shared;

  void deliverOldest();
  static void complete(const std::shared_ptr<Shared>& shared);

  boost::asio::any_io_executor loop_;
  std::shared_ptr<Shared> shared_;
  SerialWorker worker_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace homeo
