#include "transports/threaded_transport.h"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <deque>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

namespace homeo {

namespace {

// The loop's executor marked as having work while a send is pending, so that io_context::run()
// does not return while the worker is busy.
boost::asio::any_io_executor trackWork(const boost::asio::any_io_executor& loop) {
  return boost::asio::prefer(loop, boost::asio::execution::outstanding_work.tracked);
}

}  // namespace

struct ThreadedTransport::Shared {
  struct Job {
    std::shared_ptr<const Batch> batch;
    SendDone done;
    boost::asio::any_io_executor work;
  };
  struct Completion {
    SendDone done;
    SendResult result;
    std::string reason;
    boost::asio::any_io_executor work;
  };

  std::mutex mutex;
  std::deque<Job> jobs;                 // not yet delivered
  std::vector<Completion> completions;  // delivered, waiting for the loop
  bool completion_posted = false;
  bool stopping = false;
};

ThreadedTransport::ThreadedTransport(boost::asio::any_io_executor loop)
    : loop_(std::move(loop)), shared_(std::make_shared<Shared>()) {}

ThreadedTransport::~ThreadedTransport() { stop(); }

void ThreadedTransport::send(std::shared_ptr<const Batch> batch, SendDone done) {
  if (stopped_) {
    boost::asio::post(
        loop_, [done = std::move(done)] { done(SendResult::kRetryable, "transport stopped"); });
    return;
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->jobs.push_back({std::move(batch), std::move(done), trackWork(loop_)});
  }
  started_ = true;
  // One worker job per send, each delivering the oldest batch waiting; one refused (it cannot
  // be: the Dispatcher has at most maxInFlight() sends out) leaves its batch to stop().
  worker_.post([this] { deliverOldest(); });
}

void ThreadedTransport::deliverOldest() {
  std::unique_lock lock(shared_->mutex);
  if (shared_->stopping || shared_->jobs.empty()) return;
  Shared::Job job = std::move(shared_->jobs.front());
  shared_->jobs.pop_front();
  lock.unlock();

  std::string reason;
  SendResult result;
  try {
    result = deliver(*job.batch, reason);
  } catch (const std::exception& e) {
    // Nothing should throw here; if something does (bad_alloc), the batch is tried again.
    result = SendResult::kRetryable;
    reason = e.what();
  }
  job.batch.reset();

  lock.lock();
  shared_->completions.push_back(
      {std::move(job.done), result, std::move(reason), std::move(job.work)});
  if (!shared_->completion_posted) {
    shared_->completion_posted = true;
    boost::asio::post(loop_, [shared = shared_] { complete(shared); });
  }
}

void ThreadedTransport::complete(const std::shared_ptr<Shared>& shared) {
  std::vector<Shared::Completion> completions;
  {
    std::lock_guard lock(shared->mutex);
    completions.swap(shared->completions);
    shared->completion_posted = false;
  }
  for (auto& c : completions) c.done(c.result, std::move(c.reason));
}

void ThreadedTransport::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  // The deliver() under way finishes; the jobs queued behind it return at once; close() runs
  // last on the worker, if it ever started.
  if (started_) worker_.post([this] { close(); });
  worker_.stop();

  complete(shared_);
  std::deque<Shared::Job> jobs;
  {
    std::lock_guard lock(shared_->mutex);
    jobs.swap(shared_->jobs);
  }
  for (auto& job : jobs) job.done(SendResult::kRetryable, "transport stopped");
}

}  // namespace homeo
