#pragma once

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "transports/transport.h"

namespace homeo::testing {

// A transport the test drives. Without a policy every send waits until the test calls
// complete(); with one, the policy decides each send's result, which is posted right away.
class FakeTransport : public Transport {
 public:
  struct Call {
    std::shared_ptr<const Batch> batch;
    SendDone done;
    bool completed = false;
  };
  // attempt counts sends of that seq, from 1.
  using Policy = std::function<SendResult(const Batch& batch, int attempt)>;

  FakeTransport(boost::asio::any_io_executor executor, std::string type, size_t max_in_flight = 1,
                Policy policy = nullptr)
      : executor_(std::move(executor)),
        type_(std::move(type)),
        max_in_flight_(max_in_flight),
        policy_(std::move(policy)) {}

  std::string_view type() const override { return type_; }
  size_t maxInFlight() const override { return max_in_flight_; }
  bool localDestination() const override { return local; }

  void send(std::shared_ptr<const Batch> batch, SendDone done) override {
    ++in_flight;
    max_seen_in_flight = std::max(max_seen_in_flight, in_flight);
    calls.push_back({batch, std::move(done)});
    if (policy_) {
      int attempt = 0;
      for (const auto& c : calls) attempt += c.batch->seq == batch->seq;
      const SendResult result = policy_(*batch, attempt);
      boost::asio::post(executor_,
                        [this, i = calls.size() - 1, result] { complete(i, result, "scripted"); });
    }
  }

  void complete(size_t i, SendResult result = SendResult::kAccepted, std::string reason = "") {
    Call& call = calls.at(i);
    if (call.completed) throw std::logic_error("completed twice");
    call.completed = true;
    --in_flight;
    call.done(result, std::move(reason));
  }

  void stop() override { stopped = true; }

  std::vector<uint64_t> seqs() const {
    std::vector<uint64_t> out;
    for (const auto& c : calls) out.push_back(c.batch->seq);
    return out;
  }

  std::vector<Call> calls;
  size_t in_flight = 0;
  size_t max_seen_in_flight = 0;
  bool stopped = false;
  bool local = false;  // as a file or SQLite transport

 private:
  boost::asio::any_io_executor executor_;
  std::string type_;
  size_t max_in_flight_;
  Policy policy_;
};

}  // namespace homeo::testing
