#include "transports/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace homeo {

namespace {

// At most one "rejected for good" line per transport in this interval; the rest are counted.
constexpr std::chrono::seconds kPermanentLogInterval{10};

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
    lane.transport = std::move(transport);
    lanes_.push_back(std::move(lane));
  }
  if (options_.max_queued_batches == 0) options_.max_queued_batches = 1;
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
    lanes_[i].queue.push_back(batch);
    pump(i);
  }
}

void Dispatcher::pump(size_t lane) {
  Lane& l = lanes_[lane];
  while (!stopped_ && l.in_flight < l.max_in_flight && !l.queue.empty()) {
    std::shared_ptr<const Batch> batch = std::move(l.queue.front());
    l.queue.pop_front();
    ++l.in_flight;
    send(lane, std::move(batch), 1);
  }
}

void Dispatcher::send(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt) {
  Lane& l = lanes_[lane];
  auto done = [this, alive = std::weak_ptr<int>(alive_), lane, batch, attempt](SendResult result,
                                                                               std::string reason) {
    if (alive.expired()) return;
    if (lanes_[lane].sending) {
      // Completed inside send(): finish on a later turn so pump() is not re-entered.
      boost::asio::post(executor_,
                        [this, alive, lane, batch, attempt, result, reason = std::move(reason)] {
                          if (!alive.expired()) onSendDone(lane, batch, attempt, result, reason);
                        });
      return;
    }
    onSendDone(lane, batch, attempt, result, reason);
  };
  l.sending = true;
  l.transport->send(std::move(batch), std::move(done));
  l.sending = false;
}

void Dispatcher::onSendDone(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt,
                            SendResult result, const std::string& reason) {
  if (stopped_) return;
  Lane& l = lanes_[lane];
  switch (result) {
    case SendResult::kAccepted:
      --l.in_flight;
      ++l.stats.sent_batches;
      l.stats.sent_records += batch->records.size();
      if (l.failing) {
        spdlog::info("transport {} delivers again", l.stats.type);
        l.failing = false;
      }
      finish(batch->seq);
      break;
    case SendResult::kRetryable:
      ++l.stats.retries;
      if (!l.failing) {
        spdlog::warn("transport {} failed to deliver batch {}, retrying with backoff: {}",
                     l.stats.type, batch->seq, reason);
        l.failing = true;
      }
      scheduleRetry(lane, std::move(batch), attempt);
      return;  // the batch keeps its in-flight slot
    case SendResult::kPermanent: {
      --l.in_flight;
      ++l.stats.failed_batches;
      l.stats.failed_records += batch->records.size();
      const auto now = std::chrono::steady_clock::now();
      if (l.last_permanent_log == std::chrono::steady_clock::time_point{} ||
          now - l.last_permanent_log >= kPermanentLogInterval) {
        spdlog::warn(
            "transport {} rejected batch {} ({} records) for good: {}{}", l.stats.type, batch->seq,
            batch->records.size(), reason,
            l.permanent_unlogged == 0
                ? std::string()
                : fmt::format(" ({} more rejected batches not logged)", l.permanent_unlogged));
        l.last_permanent_log = now;
        l.permanent_unlogged = 0;
      } else {
        ++l.permanent_unlogged;
      }
      if (on_permanent_) on_permanent_(lane, *batch, reason);
      finish(batch->seq);
      break;
    }
  }
  pump(lane);
}

void Dispatcher::scheduleRetry(size_t lane, std::shared_ptr<const Batch> batch, unsigned attempt) {
  retries_.emplace_back(executor_, lane, std::move(batch), attempt + 1);
  auto it = std::prev(retries_.end());
  it->timer.expires_after(backoff(attempt));
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
  if (pending_.empty() && drain_done_) finishDrain(true);
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
  if (stopped_ || pending_.empty()) {
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
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace homeo
