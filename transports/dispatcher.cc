#include "transports/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "common/json.h"

namespace homeo {

namespace {

// A Retry-After longer than this is taken as this: a destination should not park a batch for
// longer than the backoff cap would, by much.
constexpr std::chrono::minutes kMaxRetryAfter{5};

// One dead-letter line: {"transport":..,"reason":..,"record":..}.
std::string deadLetterLine(std::string_view transport, std::string_view reason,
                           std::string_view record) {
  std::string line = "{\"transport\":";
  appendJsonString(line, transport);
  line += ",\"reason\":";
  appendJsonString(line, reason);
  line += ",\"record\":";
  line.append(record);
  line.push_back('}');
  return line;
}

// The dead-letter lines of a rejected batch; the seq is the rejected one's.
std::shared_ptr<const Batch> deadLetterLines(const Batch& batch, std::string_view transport,
                                             std::string_view reason) {
  auto out = std::make_shared<Batch>();
  out->seq = batch.seq;
  out->records.reserve(batch.records.size());
  for (size_t i = 0; i < batch.records.size(); ++i) {
    std::string line = deadLetterLine(transport, reason, batch.records[i]);
    out->bytes += line.size();
    out->records.push_back(std::move(line));
    out->levels.push_back(i < batch.levels.size() ? batch.levels[i] : Level::kError);
  }
  return out;
}

// The dead-letter lines of the records of `batch` its destination rejected, each with its reason.
std::shared_ptr<const Batch> deadLetterLines(const Batch& batch, std::string_view transport,
                                             const std::vector<RejectedRecord>& rejected) {
  auto out = std::make_shared<Batch>();
  out->seq = batch.seq;
  for (const RejectedRecord& r : rejected) {
    if (r.index >= batch.records.size()) continue;
    std::string line = deadLetterLine(transport, r.reason, batch.records[r.index]);
    out->bytes += line.size();
    out->records.push_back(std::move(line));
    out->levels.push_back(r.index < batch.levels.size() ? batch.levels[r.index] : Level::kError);
  }
  return out;
}

// The rejected records themselves, as a batch (for onPermanentFailure).
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

// At most one "rejected for good" line per transport in this interval; the rest are counted.
constexpr std::chrono::seconds kPermanentLogInterval{10};
// At most one "spooling batches to disk" line per transport in this interval (a destination
// that stays slow goes in and out of spooling).
constexpr std::chrono::seconds kSpoolLogInterval{60};

}  // namespace

Dispatcher::Dispatcher(boost::asio::any_io_executor executor,
                       std::vector<std::unique_ptr<Transport>> transports,
                       DispatcherOptions options)
    : executor_(std::move(executor)),
      options_(options),
      drain_timer_(executor_),
      rng_(std::random_device{}()) {
  lanes_.reserve(transports.size());
  for (auto& transport : transports) {
    Lane lane;
    lane.max_in_flight = std::max<size_t>(1, transport->maxInFlight());
    lane.stats.type = std::string(transport->type());
    const SpoolOptions& so = transport->spoolOptions();
    if (!options_.spool_dir.empty() && so.enabled) {
      auto spool = std::make_unique<Spool>(
          executor_,
          options_.spool_dir + "/" + std::to_string(lanes_.size()) + "-" + lane.stats.type,
          so.max_bytes,
          so.policy == SpoolOptions::Policy::kBlock ? Spool::Policy::kBlock
                                                    : Spool::Policy::kDropOldest);
      std::string error;
      if (spool->open(error)) {
        lane.spooling = !spool->empty();
        lane.spool_logged = lane.spooling;  // Spool::open() said so
        lane.spool = std::move(spool);
      } else {
        spdlog::error("transport {}: {}; it has no disk spool", lane.stats.type, error);
      }
    }
    lane.transport = std::move(transport);
    lanes_.push_back(std::move(lane));
  }
  if (options_.max_queued_batches == 0) options_.max_queued_batches = 1;
  if (options_.spool_queued_batches == 0) {
    options_.spool_queued_batches = std::max<size_t>(1, options_.max_queued_batches / 2);
  }
  // What an earlier run left in a spool is sent without waiting for new records.
  for (size_t i = 0; i < lanes_.size(); ++i) {
    if (lanes_[i].spooling) {
      boost::asio::post(executor_, [this, alive = std::weak_ptr<int>(alive_), i] {
        if (!alive.expired()) pump(i);
      });
    }
  }
}

Dispatcher::~Dispatcher() {
  stop();
  alive_.reset();
}

void Dispatcher::onAcked(std::function<void(uint64_t)> callback) {
  on_acked_ = std::move(callback);
}

void Dispatcher::onSaturation(std::function<void(bool)> callback) {
  on_saturation_ = std::move(callback);
}

void Dispatcher::onPermanentFailure(
    std::function<void(size_t, const Batch&, const std::string&)> callback) {
  on_permanent_ = std::move(callback);
}

void Dispatcher::setSendGate(std::function<bool(uint64_t)> may_send) {
  may_send_ = std::move(may_send);
}

void Dispatcher::gateOpened() {
  for (size_t i = 0; i < lanes_.size(); ++i) pump(i);
}

void Dispatcher::setDeadLetter(std::unique_ptr<Transport> sink) { dead_letter_ = std::move(sink); }

std::shared_ptr<const Batch> Dispatcher::routed(Lane& lane,
                                                const std::shared_ptr<const Batch>& batch) {
  const RouteFilter& filter = lane.transport->route();
  if (filter.empty()) return batch;
  const size_t n = batch->records.size();
  auto routeOf = [&](size_t i) { return i < batch->routes.size() ? &batch->routes[i] : nullptr; };
  auto levelOf = [&](size_t i) {
    return i < batch->levels.size() ? batch->levels[i] : Level::kError;
  };
  size_t wanted = 0;
  for (size_t i = 0; i < n; ++i) wanted += filter.wants(levelOf(i), routeOf(i));
  lane.stats.skipped_records += n - wanted;
  if (wanted == n) return batch;
  if (wanted == 0) return nullptr;
  auto part = std::make_shared<Batch>();
  part->seq = batch->seq;
  part->records.reserve(wanted);
  part->levels.reserve(wanted);
  for (size_t i = 0; i < n; ++i) {
    if (!filter.wants(levelOf(i), routeOf(i))) continue;
    part->records.push_back(batch->records[i]);
    part->levels.push_back(levelOf(i));
    if (const RecordRoute* route = routeOf(i)) {
      part->routes.resize(part->records.size() - 1);
      part->routes.push_back(*route);
    }
    part->bytes += batch->records[i].size();
  }
  return part;
}

void Dispatcher::dispatch(std::shared_ptr<const Batch> batch) {
  if (stopped_) {
    spdlog::debug("dispatcher stopped; batch {} left unacknowledged", batch->seq);
    return;
  }
  if (batch->seq <= last_dispatched_) {
    spdlog::critical("batch seq {} dispatched after seq {}", batch->seq, last_dispatched_);
    std::abort();
  }
  last_dispatched_ = batch->seq;
  pending_.emplace(batch->seq, Pending{batch, lanes_.size()});
  if (!saturated_ && pending_.size() >= options_.max_queued_batches) {
    saturated_ = true;
    notifyLater();
  }
  if (lanes_.empty()) {
    advance();
    return;
  }
  for (size_t i = 0; i < lanes_.size(); ++i) {
    std::shared_ptr<const Batch> part = routed(lanes_[i], batch);
    if (!part) {
      finish(batch->seq);  // nothing in it for this transport
      continue;
    }
    lanes_[i].queue.push_back(std::move(part));
    if (lanes_[i].spooling) spoolQueued(i);
    pump(i);
  }
}

void Dispatcher::pump(size_t lane) {
  Lane& l = lanes_[lane];
  if (l.spooling) spoolQueued(lane);  // what waited for room (drop_oldest may make some)
  if (l.spool && !l.spooling && !stopped_ && !l.transport->localDestination() &&
      l.queue.size() >= options_.spool_queued_batches && l.last_send >= options_.slow_send) {
    // Not keeping up: the queue goes to the spool, once the batches out now are finished (a
    // spooled batch must not overtake one of them, even across a restart).
    if (l.in_flight > 0) return;
    startSpooling(lane, fmt::format("is not keeping up ({} batches queued)", l.queue.size()));
  }
  if (l.spool && !l.spool->empty()) {
    // The spool is older than the queue: send it first, one batch at a time.
    // Not during a drain: what is spooled stays for the next start.
    if (!stopped_ && !drain_done_ && !l.replaying && l.in_flight == 0 &&
        l.spool->entries().front().written) {
      l.replaying = true;
      ++l.in_flight;
      l.spool->readOldest([this, alive = std::weak_ptr<int>(alive_), lane](
                              std::shared_ptr<const Batch> batch, std::string error) {
        if (alive.expired() || stopped_) return;
        if (!batch) {
          // Unreadable (removed or damaged from outside): counted as dropped, never retried.
          Lane& l = lanes_[lane];
          spdlog::error("transport {}: cannot read spooled batch: {}", l.stats.type, error);
          l.stats.dropped_records += l.spool->entries().front().records;
          --l.in_flight;
          replayDone(lane);
          return;
        }
        send(lane, std::move(batch), 1);
      });
    }
    return;
  }
  while (!stopped_ && l.in_flight < l.max_in_flight && !l.queue.empty()) {
    if (may_send_ && !may_send_(l.queue.front()->seq)) break;  // gateOpened() goes on
    std::shared_ptr<const Batch> batch = std::move(l.queue.front());
    l.queue.pop_front();
    ++l.in_flight;
    send(lane, std::move(batch), 1);
  }
}

void Dispatcher::send(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt) {
  Lane& l = lanes_[lane];
  auto done = [this, alive = std::weak_ptr<int>(alive_), lane, batch, attempt](
                  SendResult result, std::string reason, std::chrono::milliseconds retry_after,
                  std::vector<RejectedRecord> rejected) {
    if (alive.expired()) return;
    if (lanes_[lane].sending) {
      // Completed inside send(): finish on a later turn so pump() is not re-entered.
      boost::asio::post(executor_,
                        [this, alive, lane, batch, attempt, result, reason = std::move(reason),
                         retry_after, rejected = std::move(rejected)] {
                          if (!alive.expired())
                            onSendDone(lane, batch, attempt, result, reason, retry_after, rejected);
                        });
      return;
    }
    onSendDone(lane, batch, attempt, result, reason, retry_after, rejected);
  };
  l.sending = true;
  l.send_started = std::chrono::steady_clock::now();
  l.transport->send(std::move(batch), std::move(done));
  l.sending = false;
}

void Dispatcher::onSendDone(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt,
                            SendResult result, const std::string& reason,
                            std::chrono::milliseconds retry_after,
                            const std::vector<RejectedRecord>& rejected) {
  if (stopped_) return;
  Lane& l = lanes_[lane];
  l.last_send = std::chrono::steady_clock::now() - l.send_started;
  switch (result) {
    case SendResult::kAccepted:
      --l.in_flight;
      ++l.stats.sent_batches;
      l.stats.sent_records +=
          batch->records.size() - std::min(rejected.size(), batch->records.size());
      if (l.failing) {
        spdlog::info("transport {} delivers again", l.stats.type);
        l.failing = false;
      }
      if (!rejected.empty()) {
        // The destination kept the rest: only the rejected records go to the dead letter.
        l.stats.failed_records += rejected.size();
        logRejection(l, fmt::format("rejected {} of the {} records of batch {} for good: {}",
                                    rejected.size(), batch->records.size(), batch->seq,
                                    rejected.front().reason));
        if (on_permanent_) {
          on_permanent_(lane, *rejectedPart(*batch, rejected), rejected.front().reason);
        }
        if (dead_letter_) {
          deadLetter(lane, deadLetterLines(*batch, l.stats.type, rejected), batch->seq, 1);
          if (batch->seq == 0) {
            replayDone(lane);
            return;
          }
          break;
        }
      }
      if (batch->seq == 0) {
        replayDone(lane);
        return;
      }
      finish(batch->seq);
      break;
    case SendResult::kRetryable: {
      ++l.stats.retries;
      l.stats.retried_records += batch->records.size();
      if (batch->seq == 0 && drain_done_) {
        // A replay failing during a drain: it stays spooled for the next start.
        --l.in_flight;
        l.replaying = false;
        maybeFinishDrain();
        return;
      }
      const auto now = std::chrono::steady_clock::now();
      if (!l.failing) l.failing_since = now;
      // Failing for a while: this batch (the only one out) and the queue go to the spool.
      size_t dropped = 0;
      if (batch->seq != 0 && l.spool && !l.spooling && l.in_flight == 1 &&
          now - l.failing_since >= l.transport->spoolOptions().after &&
          l.spool->reserve(batch->bytes + batch->records.size(), false, dropped)) {
        l.failing = true;
        l.stats.dropped_records += dropped;
        --l.in_flight;
        spoolBatch(lane, std::move(batch), 0);
        startSpooling(
            lane,
            fmt::format("has failed for {} ms ({})",
                        std::chrono::duration_cast<std::chrono::milliseconds>(now - l.failing_since)
                            .count(),
                        reason));
        return;
      }
      if (!l.failing) {
        spdlog::warn("transport {} failed to deliver batch {}, retrying with backoff: {}",
                     l.stats.type, batch->seq, reason);
        l.failing = true;
      }
      scheduleRetry(lane, std::move(batch), attempt, retry_after);
      return;  // the batch keeps its in-flight slot
    }
    case SendResult::kPermanent: {
      --l.in_flight;
      ++l.stats.failed_batches;
      l.stats.failed_records += batch->records.size();
      logRejection(l, fmt::format("rejected batch {} ({} records) for good: {}", batch->seq,
                                  batch->records.size(), reason));
      if (on_permanent_) on_permanent_(lane, *batch, reason);
      if (dead_letter_) {
        // Done for this transport once the sink holds it; the lane goes on meanwhile.
        deadLetter(lane, deadLetterLines(*batch, l.stats.type, reason), batch->seq, 1);
      } else if (batch->seq != 0) {
        finish(batch->seq);
      }
      if (batch->seq == 0) {
        replayDone(lane);
        return;
      }
      break;
    }
  }
  pump(lane);
}

void Dispatcher::logRejection(Lane& l, const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  if (l.last_permanent_log == std::chrono::steady_clock::time_point{} ||
      now - l.last_permanent_log >= kPermanentLogInterval) {
    spdlog::warn("transport {} {}{}", l.stats.type, what,
                 l.permanent_unlogged == 0
                     ? std::string()
                     : fmt::format(" ({} more rejections not logged)", l.permanent_unlogged));
    l.last_permanent_log = now;
    l.permanent_unlogged = 0;
  } else {
    ++l.permanent_unlogged;
  }
}

void Dispatcher::deadLetter(size_t lane, std::shared_ptr<const Batch> lines, uint64_t seq,
                            unsigned attempt) {
  dead_letter_->send(lines, [this, alive = std::weak_ptr<int>(alive_), lane, lines, seq, attempt](
                                SendResult result, std::string reason) {
    if (alive.expired() || stopped_) return;
    if (result == SendResult::kAccepted) {
      lanes_[lane].stats.dead_lettered_records += lines->records.size();
      if (seq != 0) finish(seq);  // seq 0: a spooled batch, acknowledged when it was spooled
      return;
    }
    if (attempt == 1) {
      spdlog::error("cannot write batch {} rejected by transport {} to the dead-letter file: {}",
                    seq, lanes_[lane].stats.type, reason);
    }
    auto& timer = dead_letter_retries_.emplace_back(executor_);
    auto it = std::prev(dead_letter_retries_.end());
    timer.expires_after(backoff(attempt));
    timer.async_wait([this, alive, it, lane, lines, seq, attempt](boost::system::error_code) {
      if (alive.expired() || stopped_) return;
      dead_letter_retries_.erase(it);
      deadLetter(lane, lines, seq, attempt + 1);
    });
  });
}

void Dispatcher::startSpooling(size_t lane, const std::string& why) {
  Lane& l = lanes_[lane];
  const auto now = std::chrono::steady_clock::now();
  if (l.last_spool_log == std::chrono::steady_clock::time_point{} ||
      now - l.last_spool_log >= kSpoolLogInterval) {
    spdlog::warn("transport {} {}; spooling batches to disk", l.stats.type, why);
    l.last_spool_log = now;
    l.spool_logged = true;
  }
  l.spooling = true;
  spoolQueued(lane);
}

void Dispatcher::spoolQueued(size_t lane) {
  Lane& l = lanes_[lane];
  while (!l.queue.empty()) {
    const Batch& next = *l.queue.front();
    // A spooled batch counts as delivered, so it waits for the gate like a send: spooling the
    // whole queue at once would let a crash repeat all of it (spool replay plus re-reading).
    if (may_send_ && !may_send_(next.seq)) return;  // gateOpened() goes on
    size_t dropped = 0;
    const bool fits = l.spool->reserve(next.bytes + next.records.size(), l.replaying, dropped);
    if (dropped > 0) {
      l.stats.dropped_records += dropped;
      if (!l.drop_logged) {
        spdlog::warn("transport {}: spool full; dropping its oldest batches (counted)",
                     l.stats.type);
        l.drop_logged = true;
      }
    }
    if (!fits) return;  // block: the rest waits in memory, and reading pauses
    std::shared_ptr<const Batch> batch = std::move(l.queue.front());
    l.queue.pop_front();
    spoolBatch(lane, std::move(batch), 0);
  }
}

void Dispatcher::spoolBatch(size_t lane, std::shared_ptr<const Batch> batch, uint64_t rewrite_id) {
  Lane& l = lanes_[lane];
  auto id = std::make_shared<uint64_t>(rewrite_id);
  auto done = [this, alive = std::weak_ptr<int>(alive_), lane, batch, id](bool ok,
                                                                          std::string error) {
    if (alive.expired() || stopped_) return;
    Lane& l = lanes_[lane];
    if (ok) {
      l.stats.spooled_records += batch->records.size();
      finish(batch->seq);
      pump(lane);
      return;
    }
    // The file keeps its place in the spool; write it again after a while.
    spdlog::error("transport {}: cannot spool batch {}: {}", l.stats.type, batch->seq, error);
    auto& timer = dead_letter_retries_.emplace_back(executor_);
    auto it = std::prev(dead_letter_retries_.end());
    timer.expires_after(options_.max_backoff);
    timer.async_wait([this, alive, it, lane, batch, id](boost::system::error_code) {
      if (alive.expired() || stopped_) return;
      dead_letter_retries_.erase(it);
      spoolBatch(lane, batch, *id);
    });
  };
  *id = l.spool->append(batch, std::move(done), rewrite_id);
}

void Dispatcher::replayDone(size_t lane) {
  Lane& l = lanes_[lane];
  l.replaying = false;
  l.spool->removeOldest();
  if (l.spool->empty()) {
    l.spooling = false;
    l.drop_logged = false;
    if (l.spool_logged) spdlog::info("transport {}: spool sent", l.stats.type);
    l.spool_logged = false;
  }
  maybeFinishDrain();
  pump(lane);
}

void Dispatcher::scheduleRetry(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt,
                               std::chrono::milliseconds retry_after) {
  retries_.emplace_back(executor_, lane, std::move(batch), attempt + 1);
  auto it = std::prev(retries_.end());
  it->timer.expires_after(std::max<std::chrono::milliseconds>(
      backoff(attempt), std::min<std::chrono::milliseconds>(retry_after, kMaxRetryAfter)));
  // Cancellation (drain() cutting the delay short) also sends right away; stop() sets stopped_
  // before it destroys the timers, and the handler then must not touch `it`.
  it->timer.async_wait([this, alive = std::weak_ptr<int>(alive_), it](boost::system::error_code) {
    if (alive.expired() || stopped_) return;
    const size_t lane = it->lane;
    std::shared_ptr<const Batch> batch = std::move(it->batch);
    const unsigned attempt = it->attempt;
    retries_.erase(it);
    send(lane, std::move(batch), attempt);
  });
}

std::chrono::milliseconds Dispatcher::backoff(unsigned attempt) {
  const double cap = static_cast<double>(options_.max_backoff.count());
  double delay = static_cast<double>(options_.initial_backoff.count()) *
                 std::pow(options_.backoff_multiplier, static_cast<double>(attempt - 1));
  delay = std::min(delay, cap);
  if (options_.jitter > 0) {
    std::uniform_real_distribution<double> factor(1.0 - options_.jitter, 1.0 + options_.jitter);
    delay = std::min(delay * factor(rng_), cap);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(delay, 0.0)));
}

void Dispatcher::finish(uint64_t seq) {
  auto it = pending_.find(seq);
  if (it == pending_.end() || it->second.unfinished == 0) {
    spdlog::critical("batch {} finished more often than it was sent", seq);
    std::abort();
  }
  --it->second.unfinished;
  advance();
}

void Dispatcher::advance() {
  bool advanced = false;
  while (!pending_.empty() && pending_.begin()->second.unfinished == 0) {
    acked_through_ = pending_.begin()->first;
    pending_.erase(pending_.begin());
    advanced = true;
  }
  if (!advanced) return;
  if (saturated_ && pending_.size() <= options_.max_queued_batches / 2) saturated_ = false;
  notifyLater();
  maybeFinishDrain();
}

bool Dispatcher::replaying() const {
  for (const auto& l : lanes_) {
    if (l.replaying) return true;
  }
  return false;
}

void Dispatcher::maybeFinishDrain() {
  // A replay out at the drain is waited for, so that a clean stop sends nothing twice.
  if (drain_done_ && pending_.empty() && !replaying()) finishDrain(true);
}

void Dispatcher::notifyLater() {
  if (notify_posted_) return;
  notify_posted_ = true;
  boost::asio::post(executor_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    notify_posted_ = false;
    notify();
  });
}

void Dispatcher::notify() {
  if (saturated_ != saturated_reported_) {
    saturated_reported_ = saturated_;
    if (on_saturation_) on_saturation_(saturated_);
  }
  if (acked_through_ > acked_reported_) {
    acked_reported_ = acked_through_;
    if (on_acked_) on_acked_(acked_through_);
  }
}

void Dispatcher::drain(std::chrono::milliseconds timeout, std::function<void(bool)> done) {
  if (drain_done_) finishDrain(false);  // a newer drain replaces it
  if (stopped_ || (pending_.empty() && !replaying())) {
    const bool all_acked = pending_.empty();
    boost::asio::post(executor_, [done = std::move(done), all_acked] { done(all_acked); });
    return;
  }
  drain_done_ = std::move(done);
  drain_timer_.expires_after(timeout);
  drain_timer_.async_wait(
      [this, alive = std::weak_ptr<int>(alive_)](const boost::system::error_code& ec) {
        if (alive.expired() || ec) return;
        finishDrain(false);
      });
  for (auto& retry : retries_) retry.timer.cancel();
  for (auto& timer : dead_letter_retries_) timer.cancel();
}

void Dispatcher::finishDrain(bool all_acked) {
  if (!drain_done_) return;
  drain_timer_.cancel();
  boost::asio::post(executor_, [done = std::move(drain_done_), all_acked] { done(all_acked); });
  drain_done_ = nullptr;
}

void Dispatcher::stop() {
  if (stopped_) return;
  stopped_ = true;
  retries_.clear();
  dead_letter_retries_.clear();
  if (dead_letter_) dead_letter_->stop();
  for (auto& lane : lanes_) {
    if (lane.spool) lane.spool->stop();
  }
  finishDrain(false);
  for (auto& lane : lanes_) {
    lane.transport->stop();
    lane.queue.clear();
    lane.in_flight = 0;
  }
}

std::vector<TransportStats> Dispatcher::stats() const {
  std::vector<TransportStats> out;
  out.reserve(lanes_.size());
  for (const auto& lane : lanes_) {
    TransportStats s = lane.stats;
    s.queued = lane.queue.size();
    s.in_flight = lane.in_flight;
    s.spool_bytes = lane.spool ? lane.spool->bytes() : 0;
    s.failing = lane.failing;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace homeo
