#include "transports/lane.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>

namespace homeo {

namespace {

// A Retry-After longer than this is taken as this: a destination should not park a batch for
// longer than the backoff cap would, by much.
constexpr std::chrono::minutes kMaxRetryAfter{5};
// At most one "rejected for good" line per transport in this interval; the rest are counted.
constexpr std::chrono::seconds kPermanentLogInterval{10};
// At most one "spooling batches to disk" line per transport in this interval (a destination
// that stays slow goes in and out of spooling).
constexpr std::chrono::seconds kSpoolLogInterval{60};

// The records of `batch` its destination rejected, as a batch (for Owner::rejected).
std::shared_ptr<const Batch> rejectedPart(const Batch& batch,
                                          const std::vector<RejectedRecord>& rejected) {
  auto out = std::make_shared<Batch>();
  out->seq = batch.seq;
  for (const RejectedRecord& r : rejected) {
    if (r.index >= batch.records.size()) continue;
    out->records.push_back(batch.records[r.index]);
    out->bytes += batch.records[r.index].size();
    out->levels.push_back(r.index < batch.levels.size() ? batch.levels[r.index] : Level::kError);
    if (r.index < batch.routes.size()) out->routes.push_back(batch.routes[r.index]);
  }
  return out;
}

}  // namespace

Lane::Lane(boost::asio::any_io_executor executor, size_t index,
           std::unique_ptr<Transport> transport, std::unique_ptr<Spool> spool, SpoolPolicy policy,
           Backoff& backoff, Owner& owner)
    : executor_(std::move(executor)),
      index_(index),
      transport_(std::move(transport)),
      spool_(std::move(spool)),
      policy_(policy),
      backoff_(backoff),
      owner_(owner),
      max_in_flight_(std::max<size_t>(1, transport_->maxInFlight())) {
  stats_.type = std::string(transport_->type());
  if (spool_ && !spool_->empty()) {
    spooling_ = true;
    spool_logged_ = true;  // Spool::open() said so
    // What an earlier run left in the spool is sent without waiting for new records.
    boost::asio::post(executor_, [this, alive = std::weak_ptr<int>(alive_)] {
      if (!alive.expired()) pump();
    });
  }
}

Lane::~Lane() {
  stop();
  stopTransport();
  alive_.reset();
}

void Lane::take(std::shared_ptr<const Batch> batch) {
  queue_.push_back(std::move(batch));
  if (spooling_) spoolQueued();
  pump();
}

void Lane::release(uint64_t seq) {
  sendable_through_ = seq;
  pump();
}

void Lane::drain(bool on) {
  draining_ = on;
  if (!on) return;
  for (auto& retry : retries_) retry.timer.cancel();
  for (auto& timer : spool_retries_) timer.cancel();
}

void Lane::pump() {
  if (spooling_) spoolQueued();  // what waited for room (drop_oldest may make some)
  if (spool_ && !spooling_ && !stopped_ &&
      policy_.slow(queue_.size(), last_send_, transport_->localDestination())) {
    // Not keeping up: the queue goes to the spool, once the batches out now are finished (a
    // spooled batch must not overtake one of them, even across a restart).
    if (in_flight_ > 0) return;
    startSpooling(fmt::format("is not keeping up ({} batches queued)", queue_.size()));
  }
  if (spool_ && !spool_->empty()) {
    // The spool is older than the queue: send it first, one batch at a time. Not during a
    // drain: what is spooled stays for the next start.
    if (!stopped_ && !draining_ && !replaying_ && in_flight_ == 0 &&
        spool_->entries().front().written) {
      replayOldest();
    }
    return;
  }
  while (!stopped_ && in_flight_ < max_in_flight_ && !queue_.empty()) {
    if (!mayDeliver(queue_.front()->seq)) break;  // release() goes on
    std::shared_ptr<const Batch> batch = std::move(queue_.front());
    queue_.pop_front();
    ++in_flight_;
    send(std::move(batch), Origin::kQueue, 1);
  }
}

void Lane::replayOldest() {
  replaying_ = true;
  ++in_flight_;
  spool_->readOldest([this, alive = std::weak_ptr<int>(alive_)](
                         std::shared_ptr<const Batch> batch, std::string error, bool quarantined) {
    if (alive.expired() || stopped_) return;
    if (!batch) {
      const size_t records = spool_->entries().front().records;
      if (quarantined) {
        // Damaged or foreign: moved aside for a look, counted, and the next batch goes on.
        spdlog::error("transport {}: spooled batch quarantined: {}", stats_.type, error);
        ++stats_.quarantined_batches;
        stats_.quarantined_records += records;
      } else {
        // Unreadable (removed from outside, or not movable): counted as dropped, never retried;
        // whatever is left of the file stays for an operator.
        spdlog::error("transport {}: cannot read spooled batch: {}", stats_.type, error);
        stats_.dropped_records += records;
      }
      --in_flight_;
      replayDone(true);
      return;
    }
    send(std::move(batch), Origin::kSpool, 1);
  });
}

void Lane::send(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt) {
  auto done = [this, alive = std::weak_ptr<int>(alive_), batch, origin, attempt](
                  SendResult result, std::string reason, std::chrono::milliseconds retry_after,
                  std::vector<RejectedRecord> rejected) {
    if (alive.expired()) return;
    if (sending_) {
      // Completed inside send(): finish on a later turn so pump() is not re-entered.
      boost::asio::post(
          executor_, [this, alive, batch, origin, attempt, result, reason = std::move(reason),
                      retry_after, rejected = std::move(rejected)] {
            if (!alive.expired()) {
              onSendDone(batch, origin, attempt, result, reason, retry_after, rejected);
            }
          });
      return;
    }
    onSendDone(batch, origin, attempt, result, reason, retry_after, rejected);
  };
  sending_ = true;
  send_started_ = std::chrono::steady_clock::now();
  transport_->send(std::move(batch), std::move(done));
  sending_ = false;
}

void Lane::onSendDone(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt,
                      SendResult result, const std::string& reason,
                      std::chrono::milliseconds retry_after,
                      const std::vector<RejectedRecord>& rejected) {
  if (stopped_) return;
  last_send_ = std::chrono::steady_clock::now() - send_started_;
  switch (result) {
    case SendResult::kAccepted:
      onAccepted(*batch, origin, rejected);
      return;
    case SendResult::kRetryable:
      onRetryable(std::move(batch), origin, attempt, reason, retry_after);
      return;
    case SendResult::kPermanent:
      onPermanent(std::move(batch), origin, reason);
      return;
  }
}

void Lane::onAccepted(const Batch& batch, Origin origin,
                      const std::vector<RejectedRecord>& rejected) {
  --in_flight_;
  ++stats_.sent_batches;
  stats_.sent_records += batch.records.size() - std::min(rejected.size(), batch.records.size());
  if (failing_) {
    spdlog::info("transport {} delivers again", stats_.type);
    failing_ = false;
  }
  if (!rejected.empty()) {
    // The destination kept the rest: only the rejected records go to the dead letter.
    stats_.failed_records += rejected.size();
    logRejection(fmt::format("rejected {} of the {} records of batch {} for good: {}",
                             rejected.size(), batch.records.size(), batch.seq,
                             rejected.front().reason));
    owner_.rejected(index_, *rejectedPart(batch, rejected), rejected.front().reason);
    if (dead_letter_) {
      deadLettered(batch.seq, origin, [&](std::function<void(size_t)> done) {
        dead_letter_->write(batch, stats_.type, rejected, std::move(done));
      });
      return;
    }
  }
  if (origin == Origin::kSpool) {
    replayDone();
    return;
  }
  owner_.finished(batch.seq);
  pump();
}

void Lane::deadLettered(uint64_t seq, Origin origin,
                        const std::function<void(std::function<void(size_t)>)>& write) {
  // A spooled batch counted as done when it was spooled; one from the queue is done once the
  // dead-letter sink holds it, and the lane goes on meanwhile.
  const bool from_queue = origin == Origin::kQueue;
  write([this, alive = std::weak_ptr<int>(alive_), seq, from_queue](size_t records) {
    if (alive.expired() || stopped_) return;
    stats_.dead_lettered_records += records;
    if (from_queue) owner_.finished(seq);
  });
  if (!from_queue) {
    replayDone();
    return;
  }
  pump();
}

void Lane::logRejection(const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  if (last_permanent_log_ == std::chrono::steady_clock::time_point{} ||
      now - last_permanent_log_ >= kPermanentLogInterval) {
    spdlog::warn("transport {} {}{}", stats_.type, what,
                 permanent_unlogged_ == 0
                     ? std::string()
                     : fmt::format(" ({} more rejections not logged)", permanent_unlogged_));
    last_permanent_log_ = now;
    permanent_unlogged_ = 0;
  } else {
    ++permanent_unlogged_;
  }
}

void Lane::onRetryable(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt,
                       const std::string& reason, std::chrono::milliseconds retry_after) {
  ++stats_.retries;
  stats_.retried_records += batch->records.size();
  if (origin == Origin::kSpool && draining_) {
    // A replay failing during a drain: it stays spooled for the next start.
    --in_flight_;
    replaying_ = false;
    owner_.replayFinished();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!failing_) failing_since_ = now;
  // Failing for a while: this batch (the only one out) and the queue go to the spool.
  size_t dropped = 0;
  if (origin == Origin::kQueue && spool_ && !spooling_ &&
      SpoolPolicy::failedLongEnough(now - failing_since_, transport_->spoolOptions().after,
                                    in_flight_) &&
      spool_->reserve(batch->bytes + batch->records.size(), false, dropped)) {
    failing_ = true;
    stats_.dropped_records += dropped;
    --in_flight_;
    spoolBatch(std::move(batch), 0);
    startSpooling(fmt::format(
        "has failed for {} ms ({})",
        std::chrono::duration_cast<std::chrono::milliseconds>(now - failing_since_).count(),
        reason));
    return;
  }
  if (!failing_) {
    spdlog::warn("transport {} failed to deliver batch {}, retrying with backoff: {}", stats_.type,
                 batch->seq, reason);
    failing_ = true;
  }
  scheduleRetry(std::move(batch), origin, attempt, retry_after);  // it keeps its in-flight slot
}

void Lane::onPermanent(std::shared_ptr<const Batch> batch, Origin origin,
                       const std::string& reason) {
  --in_flight_;
  ++stats_.failed_batches;
  stats_.failed_records += batch->records.size();
  logRejection(fmt::format("rejected batch {} ({} records) for good: {}", batch->seq,
                           batch->records.size(), reason));
  owner_.rejected(index_, *batch, reason);
  if (dead_letter_) {
    deadLettered(batch->seq, origin, [&](std::function<void(size_t)> done) {
      dead_letter_->write(*batch, stats_.type, reason, std::move(done));
    });
    return;
  }
  if (origin == Origin::kQueue) owner_.finished(batch->seq);
  if (origin == Origin::kSpool) {
    replayDone();
    return;
  }
  pump();
}

void Lane::scheduleRetry(std::shared_ptr<const Batch> batch, Origin origin, unsigned attempt,
                         std::chrono::milliseconds retry_after) {
  retries_.emplace_back(executor_, std::move(batch), origin, attempt + 1);
  auto it = std::prev(retries_.end());
  it->timer.expires_after(std::max<std::chrono::milliseconds>(
      backoff_.delay(attempt), std::min<std::chrono::milliseconds>(retry_after, kMaxRetryAfter)));
  // Cancellation (drain() cutting the delay short) also sends right away; stop() sets stopped_
  // before it destroys the timers, and the handler then must not touch `it`.
  it->timer.async_wait([this, alive = std::weak_ptr<int>(alive_), it](boost::system::error_code) {
    if (alive.expired() || stopped_) return;
    std::shared_ptr<const Batch> batch = std::move(it->batch);
    const Origin origin = it->origin;
    const unsigned attempt = it->attempt;
    retries_.erase(it);
    send(std::move(batch), origin, attempt);
  });
}

void Lane::startSpooling(const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  if (last_spool_log_ == std::chrono::steady_clock::time_point{} ||
      now - last_spool_log_ >= kSpoolLogInterval) {
    spdlog::warn("transport {} {}; spooling batches to disk", stats_.type, why);
    last_spool_log_ = now;
    spool_logged_ = true;
  }
  spooling_ = true;
  spoolQueued();
}

void Lane::spoolQueued() {
  while (!queue_.empty()) {
    const Batch& next = *queue_.front();
    // A spooled batch counts as delivered, so it waits for the gate like a send: spooling the
    // whole queue at once would let a crash repeat all of it (spool replay plus re-reading).
    if (!mayDeliver(next.seq)) return;  // release() goes on
    size_t dropped = 0;
    const bool fits = spool_->reserve(next.bytes + next.records.size(), replaying_, dropped);
    if (dropped > 0) {
      stats_.dropped_records += dropped;
      if (!drop_logged_) {
        spdlog::warn("transport {}: spool full; dropping its oldest batches (counted)",
                     stats_.type);
        drop_logged_ = true;
      }
    }
    if (!fits) return;  // block: the rest waits in memory, and reading pauses
    std::shared_ptr<const Batch> batch = std::move(queue_.front());
    queue_.pop_front();
    spoolBatch(std::move(batch), 0);
  }
}

void Lane::spoolBatch(std::shared_ptr<const Batch> batch, uint64_t rewrite_id) {
  auto id = std::make_shared<uint64_t>(rewrite_id);
  auto done = [this, alive = std::weak_ptr<int>(alive_), batch, id](bool ok, std::string error) {
    if (alive.expired() || stopped_) return;
    if (ok) {
      stats_.spooled_records += batch->records.size();
      owner_.finished(batch->seq);
      pump();
      return;
    }
    // The file keeps its place in the spool; write it again after a while.
    spdlog::error("transport {}: cannot spool batch {}: {}", stats_.type, batch->seq, error);
    auto& timer = spool_retries_.emplace_back(executor_);
    auto it = std::prev(spool_retries_.end());
    timer.expires_after(backoff_.max());
    timer.async_wait([this, alive, it, batch, id](boost::system::error_code) {
      if (alive.expired() || stopped_) return;
      spool_retries_.erase(it);
      spoolBatch(batch, *id);
    });
  };
  *id = spool_->append(batch, std::move(done), rewrite_id);
}

void Lane::replayDone(bool keep_file) {
  replaying_ = false;
  if (keep_file) {
    spool_->forgetOldest();
  } else {
    spool_->removeOldest();
  }
  if (spool_->empty()) {
    spooling_ = false;
    drop_logged_ = false;
    if (spool_logged_) spdlog::info("transport {}: spool sent", stats_.type);
    spool_logged_ = false;
  }
  owner_.replayFinished();
  pump();
}

void Lane::stop() {
  if (stopped_) return;
  stopped_ = true;
  retries_.clear();
  spool_retries_.clear();
  if (spool_) spool_->stop();
}

void Lane::stopTransport() {
  if (transport_stopped_) return;
  transport_stopped_ = true;
  transport_->stop();
  queue_.clear();
  in_flight_ = 0;
}

TransportStats Lane::stats() const {
  TransportStats s = stats_;
  s.queued = queue_.size();
  s.in_flight = in_flight_;
  s.spool_bytes = spool_ ? spool_->bytes() : 0;
  s.failing = failing_;
  return s;
}

}  // namespace homeo
