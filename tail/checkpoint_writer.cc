#include "tail/checkpoint_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "tail/checkpoint_store.h"

namespace homeo {

CheckpointWriter::CheckpointWriter(std::string dir, std::string file,
                                   std::function<void(uint64_t)> on_written)
    : dir_(std::move(dir)), file_(std::move(file)), on_written_(std::move(on_written)) {}

CheckpointWriter::~CheckpointWriter() { stop(); }

bool CheckpointWriter::submit(std::optional<std::string> data, uint64_t tag) {
  std::lock_guard lock(mu_);
  if (stopping_) return true;
  if (!data) {
    if (!pending_ && !writing_) return true;
    later_tag_ = std::max(later_tag_, tag);
    return false;
  }
  if (pending_) ++finished_;  // replaced: the newer snapshot holds everything it held
  pending_ = std::move(data);
  pending_tag_ = std::max(pending_tag_, tag);
  ++submitted_;
  if (!job_posted_) job_posted_ = worker_.post([this] { writePending(); });
  return false;
}

void CheckpointWriter::flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = submitted_;
  cv_.wait(lock, [&] { return finished_ >= target || !job_posted_; });
}

void CheckpointWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  worker_.stop();  // what is pending is written first
}

uint64_t CheckpointWriter::writes() const {
  std::lock_guard lock(mu_);
  return writes_;
}

uint64_t CheckpointWriter::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

void CheckpointWriter::writePending() {
  std::unique_lock lock(mu_);
  while (pending_) {
    std::string data = std::move(*pending_);
    pending_.reset();
    uint64_t tag = pending_tag_;
    writing_ = true;
    lock.unlock();
    std::string error;
    const bool ok = writeCheckpointFile(dir_, file_, data, &error);
    lock.lock();
    writing_ = false;
    if (ok) {
      ++writes_;
      if (error_logged_) spdlog::info("checkpoints are written again");
      error_logged_ = false;
    } else {
      ++failures_;
      if (!error_logged_) spdlog::error("{}", error);
      error_logged_ = true;
    }
    if (!pending_) {
      tag = std::max(tag, later_tag_);
      later_tag_ = 0;
    }
    if (on_written_) {
      lock.unlock();
      on_written_(tag);
      lock.lock();
    }
    // Finished only now, so that flush() returns after on_written has run.
    ++finished_;
    cv_.notify_all();
    if (!ok && !pending_ && !stopping_) {
      // Nothing newer to write: try this one again in a while.
      pending_ = std::move(data);
      ++submitted_;
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  }
  job_posted_ = false;
  cv_.notify_all();
}

}  // namespace homeo
