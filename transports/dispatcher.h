#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "transports/backoff.h"
#include "transports/dead_letter.h"
#include "transports/lane.h"
#include "transports/transport.h"

namespace homeo {

struct DispatcherOptions {
  // Backpressure: saturated() holds from when this many batches are unfinished until the count
  // falls back to half of it. The caller stops reading input meanwhile.
  size_t max_queued_batches = 64;
  // Retry delay after the n-th consecutive kRetryable of a batch: initial * multiplier^(n-1),
  // capped, then scaled by a random factor in [1 - jitter, 1 + jitter] (and capped again).
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  double backoff_multiplier = 2.0;
  double jitter = 0.2;
  // Where transports keep their disk spools (<dir>/<index>-<type>/); empty: no spooling.
  std::string spool_dir;
  // A transport with a spool whose queue reaches this many batches (its destination is slow,
  // or failing for less than spool_after_ms) writes the queue and what follows to its spool once
  // the batches it has out are finished, so that it does not make the caller pause reading.
  // Not a Transport::localDestination(). 0: half of max_queued_batches.
  size_t spool_queued_batches = 0;
  // ... and only when its last send took at least this long: a queue that grows while sends
  // are quick is held by the caller's send gate (checkpoints being written), not by the
  // destination, and reading is paused instead.
  std::chrono::milliseconds slow_send{150};
  // The send gate as it stands at the start (see releaseThrough); by default everything goes.
  uint64_t sendable_through = UINT64_MAX;
};

// Fans sealed batches out to every transport and reports acknowledgement.
//
// Each transport has a Lane (transports/lane.h): its queue, its sends, retries with backoff,
// its disk spool and the dead-letter sink for what it rejects (whole batches, or the records a
// destination rejected alone while it took the rest: SendDone::partlyRejected). A transport with a
// route filter (Transport::route()) gets only the records it wants: a batch it wants none of is
// done for it without a send. A batch is done when every transport finished it, and onAcked()
// reports the highest seq S such that every batch with seq <= S is done, even when transports
// finish out of order.
//
// Single-threaded: every method runs on the event loop's executor, which transports complete on.
// Callbacks (onAcked, onSaturation, drain's done) are posted, never run inside dispatch().
class Dispatcher : private Lane::Owner {
 public:
  Dispatcher(boost::asio::any_io_executor executor,
             std::vector<std::unique_ptr<Transport>> transports, DispatcherOptions options = {});
  // Stops the transports (see stop()).
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Takes a sealed batch (the Batcher's dispatch callback). Seqs must increase.
  void dispatch(std::shared_ptr<const Batch> batch);

  // Called with the new watermark each time it advances.
  void onAcked(std::function<void(uint64_t acked_through_seq)> callback);
  // Called with true when saturated() turns on and false when it turns off.
  void onSaturation(std::function<void(bool saturated)> callback);
  // The send gate: batches up to `seq` may be delivered (or spooled, which counts as
  // delivery); later ones wait in their queues. Replays from the spool are not held back. The
  // daemon moves it as checkpoints are written, so that a batch is delivered only once the
  // checkpoints of the batches before it are on disk: a crash then repeats at most one
  // delivered batch, plus the spooled batch being replayed if there is one.
  void releaseThrough(uint64_t seq);
  // Called (synchronously) for each batch a transport rejected for good. `transport` indexes
  // stats().
  void onPermanentFailure(
      std::function<void(size_t transport, const Batch& batch, const std::string& reason)>
          callback);

  // Where batches a transport rejected for good go (see DeadLetter). Such a batch counts as
  // done for that transport only once the sink accepted it.
  void setDeadLetter(std::unique_ptr<Transport> sink);

  // For shutdown, after the Batcher was flushed: calls done(true) once everything dispatched so
  // far is done, or done(false) when the timeout passes first. Pending retry delays are cut
  // short once so that a destination that came back is tried right away. One drain at a time.
  void drain(std::chrono::milliseconds timeout, std::function<void(bool all_acked)> done);

  // Stops retrying and stops every transport (whose pending sends complete as kRetryable and are
  // then ignored). Unfinished batches stay unacknowledged. A pending drain gets done(false).
  void stop();

  // Batches dispatched and not yet done by every transport.
  size_t queuedBatches() const { return pending_.size(); }
  size_t maxQueuedBatches() const { return options_.max_queued_batches; }
  // Whether the caller should pause reading (see DispatcherOptions::max_queued_batches).
  bool saturated() const { return saturated_; }
  bool idle() const { return pending_.empty(); }
  uint64_t ackedThrough() const { return acked_through_; }
  size_t transportCount() const { return lanes_.size(); }
  std::vector<TransportStats> stats() const;

 private:
  // Lane::Owner
  void finished(uint64_t seq) override;
  void replayFinished() override { maybeFinishDrain(); }
  void rejected(size_t lane, const Batch& batch, const std::string& reason) override;

  void advance();
  void notifyLater();
  void notify();
  void finishDrain(bool all_acked);
  void maybeFinishDrain();
  bool replaying() const;

  boost::asio::any_io_executor executor_;
  DispatcherOptions options_;
  Backoff backoff_;
  std::unique_ptr<DeadLetter> dead_letter_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::map<uint64_t, size_t> pending_;  // seq -> transports that have not finished it
  uint64_t last_dispatched_ = 0;
  uint64_t acked_through_ = 0;
  uint64_t acked_reported_ = 0;
  bool saturated_ = false;
  bool saturated_reported_ = false;
  bool notify_posted_ = false;
  bool stopped_ = false;
  std::function<void(uint64_t)> on_acked_;
  std::function<void(bool)> on_saturation_;
  std::function<void(size_t, const Batch&, const std::string&)> on_permanent_;
  std::function<void(bool)> drain_done_;
  boost::asio::steady_timer drain_timer_;
  // Expires with the Dispatcher; completions and timers that arrive later do nothing.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace homeo
