#include "transports/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <utility>

namespace homeo {

namespace {

// The part of `batch` that `filter` wants: the batch itself, a copy of the wanted records, or
// null. `skipped` counts the others.
std::shared_ptr<const Batch> routeBatch(const RouteFilter& filter,
                                        const std::shared_ptr<const Batch>& batch,
                                        size_t& skipped) {
  if (filter.empty()) return batch;
  const size_t n = batch->records.size();
  auto routeOf = [&](size_t i) { return i < batch->routes.size() ? &batch->routes[i] : nullptr; };
  auto levelOf = [&](size_t i) {
    return i < batch->levels.size() ? batch->levels[i] : Level::kError;
  };
  size_t wanted = 0;
  for (size_t i = 0; i < n; ++i) wanted += filter.wants(levelOf(i), routeOf(i));
  skipped = n - wanted;
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

// The disk spool of a transport, if it has one and it can be opened.
std::unique_ptr<Spool> openSpool(const boost::asio::any_io_executor& executor,
                                 const DispatcherOptions& options, const Transport& transport,
                                 size_t index) {
  const SpoolOptions& so = transport.spoolOptions();
  if (options.spool_dir.empty() || !so.enabled) return nullptr;
  const std::string type(transport.type());
  auto spool = std::make_unique<Spool>(
      executor, options.spool_dir + "/" + std::to_string(index) + "-" + type, so.max_bytes,
      so.policy == SpoolOptions::Policy::kBlock ? Spool::Policy::kBlock
                                                : Spool::Policy::kDropOldest);
  std::string error;
  if (!spool->open(error)) {
    spdlog::error("transport {}: {}; it has no disk spool", type, error);
    return nullptr;
  }
  return spool;
}

}  // namespace

Dispatcher::Dispatcher(boost::asio::any_io_executor executor,
                       std::vector<std::unique_ptr<Transport>> transports,
                       DispatcherOptions options)
    : executor_(std::move(executor)),
      options_(options),
      backoff_({options.initial_backoff, options.max_backoff, options.backoff_multiplier,
                options.jitter}),
      drain_timer_(executor_) {
  if (options_.max_queued_batches == 0) options_.max_queued_batches = 1;
  if (options_.spool_queued_batches == 0) {
    options_.spool_queued_batches = std::max<size_t>(1, options_.max_queued_batches / 2);
  }
  const SpoolPolicy policy{options_.spool_queued_batches, options_.slow_send};
  lanes_.reserve(transports.size());
  for (auto& transport : transports) {
    const size_t index = lanes_.size();
    auto spool = openSpool(executor_, options_, *transport, index);
    lanes_.push_back(std::make_unique<Lane>(executor_, index, std::move(transport),
                                            std::move(spool), policy, backoff_,
                                            static_cast<Lane::Owner&>(*this)));
    lanes_.back()->release(options_.sendable_through);
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

void Dispatcher::releaseThrough(uint64_t seq) {
  options_.sendable_through = seq;
  for (auto& lane : lanes_) lane->release(seq);
}

void Dispatcher::setDeadLetter(std::unique_ptr<Transport> sink) {
  dead_letter_ =
      sink ? std::make_unique<DeadLetter>(executor_, std::move(sink), backoff_) : nullptr;
  for (auto& lane : lanes_) lane->setDeadLetter(dead_letter_.get());
}

void Dispatcher::rejected(size_t lane, const Batch& batch, const std::string& reason) {
  if (on_permanent_) on_permanent_(lane, batch, reason);
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
  pending_.emplace(batch->seq, lanes_.size());
  if (!saturated_ && pending_.size() >= options_.max_queued_batches) {
    saturated_ = true;
    notifyLater();
  }
  if (lanes_.empty()) {
    advance();
    return;
  }
  for (auto& lane : lanes_) {
    size_t skipped = 0;
    std::shared_ptr<const Batch> part = routeBatch(lane->transport().route(), batch, skipped);
    lane->skipped(skipped);
    if (!part) {
      finished(batch->seq);  // nothing in it for this transport
      continue;
    }
    lane->take(std::move(part));
  }
}

void Dispatcher::finished(uint64_t seq) {
  auto it = pending_.find(seq);
  if (it == pending_.end() || it->second == 0) {
    spdlog::critical("batch {} finished more often than it was sent", seq);
    std::abort();
  }
  --it->second;
  advance();
}

void Dispatcher::advance() {
  bool advanced = false;
  while (!pending_.empty() && pending_.begin()->second == 0) {
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
  return std::any_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return l->replaying(); });
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
  for (auto& lane : lanes_) lane->drain(true);
  if (dead_letter_) dead_letter_->cutShort();
}

void Dispatcher::finishDrain(bool all_acked) {
  if (!drain_done_) return;
  drain_timer_.cancel();
  boost::asio::post(executor_, [done = std::move(drain_done_), all_acked] { done(all_acked); });
  drain_done_ = nullptr;
  for (auto& lane : lanes_) lane->drain(false);
}

void Dispatcher::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (dead_letter_) dead_letter_->stop();
  for (auto& lane : lanes_) lane->stop();
  finishDrain(false);
  for (auto& lane : lanes_) lane->stopTransport();
}

std::vector<TransportStats> Dispatcher::stats() const {
  std::vector<TransportStats> out;
  out.reserve(lanes_.size());
  for (const auto& lane : lanes_) out.push_back(lane->stats());
  return out;
}

}  // namespace homeo
