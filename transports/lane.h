#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "transports/backoff.h"
#include "transports/dead_letter.h"
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
  uint64_t quarantined_batches = 0;    // spool files that failed their check, moved aside
  uint64_t quarantined_records = 0;    // the records their names say they held
  size_t queued = 0;                   // waiting for a free in-flight slot
  size_t in_flight = 0;                // sent and not finished, including those waiting to retry
  bool failing = false;                // its last send was retryable and none succeeded since
};

// When a lane writes its batches to its disk spool instead of holding them in memory.
struct SpoolPolicy {
  // A queue this long whose last send took at least `slow_send` is a slow destination (unless
  // it is a local one); a queue that grows while sends are quick is held by the send gate.
  size_t slow_queue = 32;
  std::chrono::milliseconds slow_send{150};

  bool slow(size_t queued, std::chrono::steady_clock::duration last_send, bool local) const {
    return !local && queued >= slow_queue && last_send >= slow_send;
  }
  // A destination failing for the transport's spool_after, with nothing else out.
  static bool failedLongEnough(std::chrono::steady_clock::duration failing_for,
                               std::chrono::milliseconds after, size_t in_flight) {
    return in_flight == 1 && failing_for >= after;
  }
};

// One transport's way from the Dispatcher to its destination: its queue, at most maxInFlight()
// sends out, retries with backoff, the disk spool (writing to it when the destination fails or
// is slow, sending from it oldest first), and rejected batches to the dead-letter sink.
// Batches come in seq order (take) and may be delivered up to the send gate (release). Each
// batch taken is reported back once with Owner::finished, in any order.
//
// Single-threaded, on the loop's executor, like the Dispatcher that owns it.
class Lane {
 public:
  class Owner {
   public:
    // The lane is done with batch `seq` (delivered, spooled or dead-lettered).
    virtual void finished(uint64_t seq) = 0;
    // A batch replayed from the spool is done (a drain waits for it).
    virtual void replayFinished() = 0;
    // Lane `lane`'s destination rejected `batch` for good.
    virtual void rejected(size_t lane, const Batch& batch, const std::string& reason) = 0;

   protected:
    ~Owner() = default;
  };

  // `spool` may be null (no spooling); `index` names the lane to its owner.
  Lane(boost::asio::any_io_executor executor, size_t index, std::unique_ptr<Transport> transport,
       std::unique_ptr<Spool> spool, SpoolPolicy policy, Backoff& backoff, Owner& owner);
  ~Lane();
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  // A batch (already routed: only the records this transport wants).
  void take(std::shared_ptr<const Batch> batch);
  // Batches up to `seq` may be delivered (or spooled, which counts as delivery).
  void release(uint64_t seq);
  // Where rejected batches go (null: nowhere, they are done at once).
  void setDeadLetter(DeadLetter* sink) { dead_letter_ = sink; }
  // A drain begins (what is spooled stays for the next start, retries waiting out a backoff go
  // now) or ends.
  void drain(bool on);
  // Stops retrying and the spool's worker; then stopTransport() stops the transport (whose
  // pending sends complete as kRetryable and are ignored). What is unfinished stays so.
  void stop();
  void stopTransport();

  bool replaying() const { return replaying_; }
  const Transport& transport() const { return *transport_; }
  TransportStats stats() const;
  // Records not routed to this transport (counted by the Dispatcher when it routes).
  void skipped(size_t records) { stats_.skipped_records += records; }

 private:
  // Where a batch being sent came from.
  enum class Origin { kQueue, kSpool };

  void pump();
  void replayOldest();
  void send(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt);
  void onSendDone(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt,
                  SendResult result, const std::string& reason,
                  std::chrono::milliseconds retry_after,
                  const std::vector<RejectedRecord>& rejected);
  void onAccepted(const Batch& batch, Origin origin, const std::vector<RejectedRecord>& rejected);
  void onRetryable(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt,
                   const std::string& reason, std::chrono::milliseconds retry_after);
  void onPermanent(std::shared_ptr<const Batch> batch, Origin origin, const std::string& reason);
  // Logs a rejection for good, at most once per kPermanentLogInterval.
  void logRejection(const std::string& what);
  // Done with `seq` once the dead-letter sink holds `lines` (at once without a sink).
  void deadLettered(uint64_t seq, Origin origin,
                    const std::function<void(std::function<void(size_t)>)>& write);
  void scheduleRetry(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt,
                     std::chrono::milliseconds retry_after);
  void startSpooling(const std::string& why);
  void spoolQueued();
  void spoolBatch(std::shared_ptr<const Batch> batch, uint64_t rewrite_id);
  // `keep_file`: the oldest file leaves the index but not the disk (quarantined, unreadable).
  void replayDone(bool keep_file = false);
  bool mayDeliver(uint64_t seq) const { return seq <= sendable_through_; }

  boost::asio::any_io_executor executor_;
  const size_t index_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Spool> spool_;
  SpoolPolicy policy_;
  Backoff& backoff_;
  Owner& owner_;
  DeadLetter* dead_letter_ = nullptr;
  const size_t max_in_flight_;

  std::deque<std::shared_ptr<const Batch>> queue_;
  size_t in_flight_ = 0;
  uint64_t sendable_through_ = UINT64_MAX;
  std::chrono::steady_clock::time_point send_started_{};
  std::chrono::steady_clock::duration last_send_{};  // how long the last finished send took
  bool sending_ = false;  // inside transport->send(), to catch completions made inline
  bool failing_ = false;  // last result was kRetryable; logged once until it recovers
  std::chrono::steady_clock::time_point failing_since_{};
  // While the spool holds batches, new ones go there too and the queue waits, so that the
  // destination gets everything in order. `replaying_`: its oldest batch is being sent.
  bool spooling_ = false;
  bool replaying_ = false;
  bool drop_logged_ = false;
  bool spool_logged_ = false;  // "spooling" was logged; "spool sent" will be
  std::chrono::steady_clock::time_point last_spool_log_{};
  std::chrono::steady_clock::time_point last_permanent_log_{};
  uint64_t permanent_unlogged_ = 0;
  bool draining_ = false;
  bool stopped_ = false;
  bool transport_stopped_ = false;
  TransportStats stats_;

  // A batch waiting out its backoff before it is sent again.
  struct Retry {
    Retry(boost::asio::any_io_executor executor, std::shared_ptr<const Batch> batch, Origin origin,
          unsigned attempt)
        : timer(std::move(executor)), batch(std::move(batch)), origin(origin), attempt(attempt) {}
    boost::asio::steady_timer timer;
    std::shared_ptr<const Batch> batch;
    Origin origin;
    unsigned attempt;
  };
  std::list<Retry> retries_;
  std::list<boost::asio::steady_timer> spool_retries_;
  // Expires with the lane; completions and timers that arrive later do nothing.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace homeo
