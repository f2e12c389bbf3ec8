#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "transports/spool.h"
#include "transports/transport.h"

namespace homeo {

// Counters of one transport, as seen by the Dispatcher.
struct TransportStats {
  std::string type;
  uint64_t sent_batches = 0;  // accepted by the destination
  uint64_t sent_records = 0;
  uint64_t failed_batches = 0;   // rejected for good (kPermanent); dropped for this transport
  uint64_t failed_records = 0;   // of those, and records rejected alone (SendDone::partlyRejected)
  uint64_t retries = 0;          // kRetryable results, each followed by a retry after backoff
  uint64_t retried_records = 0;  // records of those batches
  uint64_t skipped_records = 0;  // not routed to this transport (its min_level/services/tags)
  uint64_t dead_lettered_records = 0;  // rejected records written to the dead-letter sink
  uint64_t spooled_records = 0;        // written to the disk spool (and acknowledged so)
  uint64_t dropped_records = 0;        // spooled records deleted unsent (drop_oldest)
  uint64_t spool_bytes = 0;            // in the spool now
  size_t queued = 0;                   // waiting for a free in-flight slot
  size_t in_flight = 0;                // sent and not finished, including those waiting to retry
  bool failing = false;                // its last send was retryable and none succeeded since
};

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
};

// Fans sealed batches out to every transport and reports acknowledgement.
//
// Each transport gets every batch, in seq order, with at most maxInFlight() outstanding sends;
// the rest wait in its queue. A transport with a route filter (Transport::route()) gets only the
// records it wants: a batch it wants none of is done for it without a send. kRetryable sends the
// same batch again after an exponential backoff, or after the delay the destination asked for if
// that is longer (never blocking); kPermanent is counted, logged (rate-limited) and finishes the
// batch for that transport, once the dead-letter sink (if set) holds it; so does a batch the
// destination took but for some records (SendDone::partlyRejected), whose rejected records alone
// are counted as failed and go to the dead-letter sink, each with its reason. A transport with a
// disk spool (see SpoolOptions) spools once it has failed for spool_after_ms, or once its queue
// reaches spool_queued_batches; a spooled batch is done for it. A batch is done when every
// transport finished it, and onAcked() reports the highest seq S such that every batch with seq <=
// S is done, even when transports finish out of order.
//
// Single-threaded: every method runs on the event loop's executor, which transports complete on.
// Callbacks (onAcked, onSaturation, drain's done) are posted, never run inside dispatch().
class Dispatcher {
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
  // Holds back the first send of a batch, and its spooling (which counts as delivery), until
  // may_send(seq) says yes (the caller then calls gateOpened()). Queueing and replays from the
  // spool are not held back. The daemon uses it so that a batch is delivered only once the
  // checkpoints of the batches before it are on disk: a crash then repeats at most one
  // delivered batch, plus the spooled batch being replayed if there is one.
  void setSendGate(std::function<bool(uint64_t seq)> may_send);
  void gateOpened();
  // Called (synchronously) for each batch a transport rejected for good, e.g. to keep it in a
  // dead-letter file. `transport` indexes stats().
  void onPermanentFailure(
      std::function<void(size_t transport, const Batch& batch, const std::string& reason)>
          callback);

  // Where batches a transport rejected for good go (e.g. a FileTransport on
  // state_dir/dead-letter.jsonl): one JSON line per record, {"transport":..,"reason":..,
  // "record":{..}}. Such a batch counts as done for that transport only once the sink accepted
  // it, so a rejected record is never lost; a failing sink is retried with backoff.
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
  struct Pending {
    std::shared_ptr<const Batch> batch;
    size_t unfinished = 0;  // transports that have not finished it
  };
  // One transport, its queue and its counters.
  struct Lane {
    std::unique_ptr<Transport> transport;
    size_t max_in_flight = 1;
    std::deque<std::shared_ptr<const Batch>> queue;
    size_t in_flight = 0;
    std::chrono::steady_clock::time_point send_started{};
    std::chrono::steady_clock::duration last_send{};  // how long the last finished send took
    bool sending = false;  // inside transport->send(), to catch completions made inline
    bool failing = false;  // last result was kRetryable; logged once until it recovers
    std::chrono::steady_clock::time_point failing_since{};
    // Disk spool: while it holds batches, new ones go there too and the queue waits, so that
    // the destination gets everything in order. `replaying`: its oldest batch is being sent.
    std::unique_ptr<Spool> spool;
    bool spooling = false;
    bool replaying = false;
    bool drop_logged = false;
    std::chrono::steady_clock::time_point last_spool_log{};
    bool spool_logged = false;  // "spooling" was logged; "spool sent" will be
    std::chrono::steady_clock::time_point last_permanent_log{};
    uint64_t permanent_unlogged = 0;
    TransportStats stats;
  };
  // A batch waiting out its backoff before it is sent to a transport again.
  struct Retry {
    Retry(boost::asio::any_io_executor executor, size_t lane, std::shared_ptr<const Batch> batch,
          unsigned attempt)
        : timer(std::move(executor)), lane(lane), batch(std::move(batch)), attempt(attempt) {}
    boost::asio::steady_timer timer;
    size_t lane;
    std::shared_ptr<const Batch> batch;
    unsigned attempt;
  };

  void pump(size_t lane);
  void send(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt);
  void onSendDone(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt,
                  SendResult result, const std::string& reason,
                  std::chrono::milliseconds retry_after,
                  const std::vector<RejectedRecord>& rejected);
  // Logs a rejection for good, at most once per kPermanentLogInterval per transport.
  void logRejection(Lane& lane, const std::string& what);
  void scheduleRetry(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt,
                     std::chrono::milliseconds retry_after);
  // The part of `batch` that lane wants: the batch itself, a copy of the wanted records, or null.
  std::shared_ptr<const Batch> routed(Lane& lane, const std::shared_ptr<const Batch>& batch);
  void deadLetter(size_t lane, std::shared_ptr<const Batch> lines, uint64_t seq, unsigned attempt);
  void startSpooling(size_t lane, const std::string& why);
  void spoolQueued(size_t lane);
  void spoolBatch(size_t lane, std::shared_ptr<const Batch> batch, uint64_t rewrite_id);
  void replayDone(size_t lane);
  void finish(uint64_t seq);
  void advance();
  std::chrono::milliseconds backoff(unsigned attempt);
  void notifyLater();
  void notify();
  void finishDrain(bool all_acked);
  void maybeFinishDrain();
  bool replaying() const;

  boost::asio::any_io_executor executor_;
  DispatcherOptions options_;
  std::vector<Lane> lanes_;
  std::map<uint64_t, Pending> pending_;  // by seq
  std::list<Retry> retries_;
  uint64_t last_dispatched_ = 0;
  uint64_t acked_through_ = 0;
  uint64_t acked_reported_ = 0;
  bool saturated_ = false;
  bool saturated_reported_ = false;
  bool notify_posted_ = false;
  bool stopped_ = false;
  std::function<void(uint64_t)> on_acked_;
  std::function<bool(uint64_t)> may_send_;
  std::function<void(bool)> on_saturation_;
  std::function<void(size_t, const Batch&, const std::string&)> on_permanent_;
  std::function<void(bool)> drain_done_;
  std::unique_ptr<Transport> dead_letter_;
  std::list<boost::asio::steady_timer> dead_letter_retries_;
  boost::asio::steady_timer drain_timer_;
  std::minstd_rand rng_;
  // Expires with the Dispatcher; completions and timers that arrive later do nothing.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace homeo
