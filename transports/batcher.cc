#include "transports/batcher.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace homeo {

Batcher::Batcher(boost::asio::any_io_executor executor, const config::BatchConfig& config,
                 Dispatch dispatch)
    : timer_(std::move(executor)),
      config_(config),
      dispatch_(std::move(dispatch)),
      open_(std::make_shared<Batch>()) {
  open_->seq = 1;
}

Batcher::~Batcher() {
  alive_.reset();
  timer_.cancel();
}

uint64_t Batcher::add(std::string record_json, Level level) {
  // Records without routes in a batch that has some get an empty one, so indexes line up.
  if (!open_->routes.empty()) open_->routes.emplace_back();
  return append(std::move(record_json), level);
}

uint64_t Batcher::add(std::string record_json, Level level, std::string_view service,
                      const std::vector<std::string>& tags) {
  if (open_->routes.size() < open_->records.size()) open_->routes.resize(open_->records.size());
  RecordRoute& route = open_->routes.emplace_back();
  route.service.assign(service);
  route.tags = tags;
  return append(std::move(record_json), level);
}

uint64_t Batcher::append(std::string record_json, Level level) {
  const uint64_t seq = open_->seq;
  const bool was_empty = open_->records.empty();
  open_->bytes += record_json.size();
  open_->records.push_back(std::move(record_json));
  open_->levels.push_back(level);
  if (open_->records.size() >= config_.max_records || open_->bytes >= config_.max_bytes) {
    seal();
  } else if (was_empty) {
    startTimer();
  }
  return seq;
}

void Batcher::flush() {
  if (!open_->records.empty()) seal();
}

void Batcher::seal() {
  timer_.cancel();
  std::shared_ptr<const Batch> sealed = std::move(open_);
  open_ = std::make_shared<Batch>();
  open_->seq = sealed->seq + 1;
  open_->records.reserve(std::min<size_t>(config_.max_records, 1024));
  open_->levels.reserve(open_->records.capacity());
  dispatch_(std::move(sealed));
}

void Batcher::startTimer() {
  timer_.expires_after(std::chrono::milliseconds(config_.max_wait_ms));
  // A handler may already be queued when the batch is sealed by count; the seq tells whether
  // the timer still belongs to the open batch.
  timer_.async_wait([alive = std::weak_ptr<int>(alive_), this,
                     seq = open_->seq](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    if (open_->seq == seq && !open_->records.empty()) seal();
  });
}

}  // namespace homeo
