#pragma once

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tail/checkpoint_tracker.h"
#include "tail/tailer.h"
#include "tail_test_util.h"

namespace homeo::testing {

// A Tailer and its CheckpointTracker on a loop of their own, with a stand-in for the rest of
// the daemon: every line is a record, records go into batches of `batch_size`, a batch is
// delivered (and acknowledged at once) when the send gate lets it through. Time for the
// Tailer's timeouts is a clock the harness advances.
class TailerHarness {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::vector<std::string> globs;  // relative to the logs directory
    size_t batch_size = 5;
    std::chrono::milliseconds rotate_wait{300};
    std::chrono::milliseconds close_inactive{300000};
  };

  explicit TailerHarness(Options options) : options_(std::move(options)) {
    logs = scratch.path + "/logs";
    state = scratch.path + "/state";
    std::filesystem::create_directories(logs);
    std::filesystem::create_directories(state);
    config::InputConfig in;
    for (const auto& g : options_.globs) in.paths.push_back(logs + "/" + g);
    in.read_from = config::ReadFrom::kBeginning;
    inputs_.push_back(in);
  }
  ~TailerHarness() { kill(); }

  std::string log(const std::string& name) const { return logs + "/" + name; }

  // Starts (again) from the checkpoints in the state directory.
  void start() {
    REQUIRE_FALSE(tailer_);
    tracker_ = std::make_unique<CheckpointTracker>(io_.get_executor(), state);
    std::string error;
    REQUIRE(tracker_->load(&error));
    TailerSettings settings;
    settings.max_line_bytes = 4096;
    settings.multiline_timeout = std::chrono::milliseconds(100);
    settings.partial_line_timeout = std::chrono::milliseconds(100);
    settings.rotate_wait = options_.rotate_wait;
    settings.close_inactive = options_.close_inactive;
    settings.now = [this] { return now_; };
    tailer_ =
        std::make_unique<Tailer>(io_.get_executor(), inputs_, settings, *tracker_,
                                 [this](const config::InputConfig&, const std::string&, FileId id) {
                                   return std::make_unique<Sink>(*this, id);
                                 });
    tailer_->start();
  }

  // Stops as SIGKILL would: what is not delivered is lost, no checkpoint is written beyond
  // what the writer already has.
  void kill() {
    tailer_.reset();
    tracker_.reset();
    open_.clear();
    sealed_.clear();
    next_seq_ = 1;  // a new process numbers its batches from 1 again
    io_.restart();
    io_.poll();  // cancelled handlers run now, with nothing left to touch
  }

  // Stops as SIGTERM would: reading ends, every batch is delivered, checkpoints committed.
  void stop() {
    tailer_->drain();
    seal();
    tracker_->openGate();
    deliver();
    tracker_->commit();
    REQUIRE(runUntil(io_, [&] { return tracker_->durableThrough() >= next_seq_ - 1; }));
    tracker_->flush();
    kill();
  }

  // One turn: the loop runs a little, time moves on, the idle work runs, a quiet pipeline
  // seals its batch, and what the gate allows is delivered.
  void step() {
    io_.restart();
    io_.run_for(std::chrono::milliseconds(2));
    now_ += std::chrono::milliseconds(50);
    if (!tailer_) return;
    tailer_->tick();
    if (tailer_->idle()) seal();
    deliver();
  }

  // Runs turns until `pred` holds; fails with `what` after `limit`.
  template <typename Pred>
  void runUntilTrue(Pred pred, const std::string& what,
                    std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = Clock::now() + limit;
    while (!pred()) {
      if (Clock::now() >= deadline) FAIL("timed out waiting until " << what << "\n" << report());
      step();
    }
  }

  // Runs until every line written so far is delivered and the tailer has nothing left to do.
  void sync() {
    runUntilTrue(
        [&] { return missing().empty() && tailer_->idle() && open_.empty() && sealed_.empty(); },
        "every line is delivered");
    // ...and their checkpoints are on disk.
    runUntilTrue([&] { return tracker_->durableThrough() + 1 >= next_seq_; },
                 "the checkpoints are written");
  }

  // Appends numbered lines to a log file, each longer than kMinCopyFingerprintBytes, so that
  // a file of one line can be told apart by its fingerprint.
  void write(const std::string& name, int lines) {
    std::string text;
    for (int i = 0; i < lines; ++i) {
      char buf[128];
      std::snprintf(buf, sizeof buf,
                    "line %06d ............................................................ %s",
                    next_line_, name.c_str());
      written_.push_back(buf);
      text += buf;
      text += '\n';
      ++next_line_;
    }
    appendTo(log(name), text);
  }

  std::vector<std::string> missing() const {
    std::vector<std::string> out;
    for (const auto& l : written_) {
      if (!delivered_.count(l)) out.push_back(l);
    }
    return out;
  }
  // Deliveries beyond the first of each line.
  size_t duplicates() const {
    size_t n = 0;
    for (const auto& [line, times] : delivered_) n += times - 1;
    return n;
  }
  size_t written() const { return written_.size(); }
  size_t batchSize() const { return options_.batch_size; }
  Tailer& tailer() { return *tailer_; }
  CheckpointTracker& tracker() { return *tracker_; }
  bool running() const { return tailer_ != nullptr; }

  std::string report() const {
    std::string out = trace + "\nwritten " + std::to_string(written_.size()) + ", missing " +
                      std::to_string(missing().size()) + ", duplicated " +
                      std::to_string(duplicates());
    const auto m = missing();
    for (size_t i = 0; i < m.size() && i < 5; ++i) out += "\n  missing: " + m[i];
    return out;
  }

  std::string trace;  // what was done, for failure messages
  ScratchDir scratch;
  std::string logs;
  std::string state;

 private:
  // Every line is a record.
  class Sink : public LineSink {
   public:
    Sink(TailerHarness& h, FileId id) : h_(h), id_(id) {}
    void addLine(std::string_view line, uint64_t offset, uint64_t end) override {
      const uint64_t seq = h_.add(std::string(line));
      h_.tailer_->recorded(id_, offset, seq);
      safe_ = end;
    }
    void flush() override {}
    void restartAt(uint64_t offset) override { safe_ = offset; }
    void abandonAt(uint64_t offset) override { safe_ = offset; }
    uint64_t safeOffset() const override { return safe_; }
    bool pending() const override { return false; }

   private:
    TailerHarness& h_;
    FileId id_;
    uint64_t safe_ = 0;
  };

  struct SealedBatch {
    uint64_t seq;
    std::vector<std::string> lines;
  };

  uint64_t add(std::string line) {
    const uint64_t seq = next_seq_;
    open_.push_back(std::move(line));
    if (open_.size() >= options_.batch_size) seal();
    return seq;
  }
  void seal() {
    if (open_.empty()) return;
    sealed_.push_back({next_seq_++, std::move(open_)});
    open_.clear();
  }
  void deliver() {
    while (tracker_ && !sealed_.empty() && sealed_.front().seq <= tracker_->sendableThrough()) {
      for (const auto& l : sealed_.front().lines) ++delivered_[l];
      const uint64_t seq = sealed_.front().seq;
      sealed_.pop_front();
      tracker_->acked(seq);
    }
  }

  Options options_;
  boost::asio::io_context io_;
  std::vector<config::InputConfig> inputs_;
  std::unique_ptr<CheckpointTracker> tracker_;
  std::unique_ptr<Tailer> tailer_;
  Clock::time_point now_ = Clock::now();
  std::vector<std::string> open_;
  std::deque<SealedBatch> sealed_;
  uint64_t next_seq_ = 1;
  std::vector<std::string> written_;
  std::map<std::string, size_t> delivered_;
  int next_line_ = 0;
};

}  // namespace homeo::testing
