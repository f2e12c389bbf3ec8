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

namespace {

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

void addLine(Batch& out, std::string line, Level level) {
  out.bytes += line.size();
  out.records.push_back(std::move(line));
  out.levels.push_back(level);
}

Level levelOf(const Batch& batch, size_t i) {
  return i < batch.levels.size() ? batch.levels[i] : Level::kError;
}

}  // namespace

std::shared_ptr<const Batch> DeadLetter::lines(const Batch& batch, std::string_view transport,
                                               std::string_view reason) {
  auto out = std::make_shared<Batch>();
  out->seq = batch.seq;
  out->records.reserve(batch.records.size());
  for (size_t i = 0; i < batch.records.size(); ++i) {
    addLine(*out, deadLetterLine(transport, reason, batch.records[i]), levelOf(batch, i));
  }
  return out;
}

std::shared_ptr<const Batch> DeadLetter::lines(const Batch& batch, std::string_view transport,
                                               const std::vector<RejectedRecord>& rejected) {
  auto out = std::make_shared<Batch>();
  out->seq = batch.seq;
  for (const RejectedRecord& r : rejected) {
    if (r.index >= batch.records.size()) continue;
    addLine(*out, deadLetterLine(transport, r.reason, batch.records[r.index]),
            levelOf(batch, r.index));
  }
  return out;
}

void DeadLetter::write(const Batch& batch, std::string_view transport, std::string_view reason,
                       std::function<void(size_t)> done) {
  send(lines(batch, transport, reason), std::string(transport), std::move(done), 1);
}

void DeadLetter::write(const Batch& batch, std::string_view transport,
                       const std::vector<RejectedRecord>& rejected,
                       std::function<void(size_t)> done) {
  send(lines(batch, transport, rejected), std::string(transport), std::move(done), 1);
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
