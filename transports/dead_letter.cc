#include "transports/dead_letter.h"

#include <spdlog/spdlog.h>

#include "common/json.h"

namespace homeo {

DeadLetter::DeadLetter(boost::asio::any_io_executor executor, std::unique_ptr<Transport> sink,
                       Backoff& backoff)
    : executor_(std::move(executor)), sink_(std::move(sink)), backoff_(backoff) {}

DeadLetter::~DeadLetter() {
  stop();
  alive_.reset();
}

std::shared_ptr<const Batch> DeadLetter::lines(const Batch& batch, std::string_view transport,
                                               std::string_view reason) {
  auto out = std::make_shared<Batch>();
  out->seq = batch.seq;
  out->records.reserve(batch.records.size());
  std::string prefix = "{\"transport\":";
  appendJsonString(prefix, transport);
  prefix += ",\"reason\":";
  appendJsonString(prefix, reason);
  prefix += ",\"record\":";
  for (size_t i = 0; i < batch.records.size(); ++i) {
    std::string line;
    line.reserve(prefix.size() + batch.records[i].size() + 1);
    line += prefix;
    line += batch.records[i];
    line += '}';
    out->bytes += line.size();
    out->records.push_back(std::move(line));
    out->levels.push_back(i < batch.levels.size() ? batch.levels[i] : Level::kError);
  }
  return out;
}

void DeadLetter::write(const Batch& batch, std::string_view transport, std::string_view reason,
                       std::function<void(size_t)> done) {
  send(lines(batch, transport, reason), std::string(transport), std::move(done), 1);
}

void DeadLetter::send(std::shared_ptr<const Batch> lines, std::string transport,
                      std::function<void(size_t)> done, unsigned attempt) {
  if (stopped_) return;
  sink_->send(lines, [this, alive = std::weak_ptr<int>(alive_), lines, transport,
                      done = std::move(done), attempt](SendResult result, std::string reason) {
    if (alive.expired() || stopped_) return;
    if (result == SendResult::kAccepted) {
      done(lines->records.size());
      return;
    }
    if (attempt == 1) {
      spdlog::error("cannot write batch {} rejected by transport {} to the dead-letter file: {}",
                    lines->seq, transport, reason);
    }
    auto& timer = retries_.emplace_back(executor_);
    auto it = std::prev(retries_.end());
    timer.expires_after(backoff_.delay(attempt));
    timer.async_wait([this, alive, it, lines, transport, done, attempt](boost::system::error_code) {
      if (alive.expired() || stopped_) return;
      retries_.erase(it);
      send(lines, transport, done, attempt + 1);
    });
  });
}

void DeadLetter::cutShort() {
  for (auto& timer : retries_) timer.cancel();
}

void DeadLetter::stop() {
  if (stopped_) return;
  stopped_ = true;
  retries_.clear();
  sink_->stop();
}

}  // namespace homeo
