#include "daemon/journal_input.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace homeo {

std::string journalKey(const config::InputConfig& input) {
  std::string key = "journald:";
  for (char c : input.directory.empty() ? std::string("system") : input.directory) {
    // The checkpoint file is tab-separated, one entry a line.
    key.push_back(c == '\t' || c == '\n' || c == '\r' ? '?' : c);
  }
  key.push_back(':');
  std::vector<std::string> units = input.units;
  std::sort(units.begin(), units.end());
  for (size_t i = 0; i < units.size(); ++i) key.append(i ? "," : "").append(units[i]);
  return key;
}

JournalInput::JournalInput(boost::asio::any_io_executor loop, const config::InputConfig& input,
                           const config::Config& cfg, const ParserSet& parsers,
                           CheckpointTracker& tracker, ParseTotals& totals, std::string host,
                           Ship ship)
    : loop_(loop),
      input_(input),
      parsers_(parsers),
      tracker_(tracker),
      totals_(totals),
      ship_(std::move(ship)),
      key_(journalKey(input)),
      tick_every_(std::clamp<std::chrono::milliseconds>(
          std::chrono::milliseconds(cfg.multiline_timeout_ms / 2), std::chrono::milliseconds(20),
          std::chrono::milliseconds(1000))),
      reopen_timer_(loop),
      tick_timer_(loop) {
  settings_.directory = input.directory;
  settings_.format = input.format;
  settings_.service = input.service;
  settings_.release = input.release;
  settings_.environment = input.environment;
  settings_.in_app = input.in_app;
  settings_.tags = input.tags;
  settings_.min_level = input.min_level.value_or(cfg.min_level);
  settings_.host = std::move(host);
  settings_.max_line_bytes = cfg.max_line_bytes;
  settings_.multiline_timeout = std::chrono::milliseconds(cfg.multiline_timeout_ms);
  settings_.idle_source = std::chrono::milliseconds(cfg.close_inactive_ms);
}

JournalInput::~JournalInput() {
  reopen_timer_.cancel();
  tick_timer_.cancel();
  // The reader first: its callbacks use the sink.
  reader_.reset();
  sink_.reset();
}

void JournalInput::start() { tryOpen(); }

void JournalInput::tryOpen() {
  if (draining_) return;
  auto reader = std::make_unique<JournalReader>(
      loop_, JournalReader::Options{input_.directory, input_.units, settings_.max_line_bytes},
      [this](const JournalEntry& e) { onEntry(e); }, [this] { onTurn(); });
  std::string error;
  if (!reader->open(&error)) {
    ++open_failures_;
    if (!open_failure_logged_) {
      spdlog::error("{}; trying again every {} s", error, kReopenEvery.count());
      open_failure_logged_ = true;
    }
    reopen_timer_.expires_after(kReopenEvery);
    reopen_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tryOpen();
    });
    return;
  }
  if (open_failure_logged_) spdlog::info("journal input {} opened", key_);
  reader_ = std::move(reader);
  // From the stored checkpoint; on the first start as read_from says, kept at once, so that
  // a restart goes on from there whatever happens before the first acknowledgement.
  const std::optional<JournalCheckpoint> stored = tracker_.store().findJournal(key_);
  JournalReader::Start from;
  if (stored) {
    from.kind = stored->resume.empty() ? JournalReader::Start::Kind::kHead
                                       : JournalReader::Start::Kind::kAfterCursor;
    from.cursor = stored->resume;
    from.done = stored->done;
    from.done_realtime_usec = stored->done_realtime_usec;
    from.held = stored->held;
  } else if (input_.read_from == config::ReadFrom::kBeginning) {
    from.kind = JournalReader::Start::Kind::kHead;
  } else {
    from.kind = JournalReader::Start::Kind::kTail;
  }
  const std::optional<std::string> tail = reader_->start(from);
  JournalCheckpoint start;
  if (stored) {
    start = *stored;
  } else if (tail) {
    start.resume = start.done = *tail;
  }
  if (!stored) tracker_.setJournal(key_, start);
  sink_ = std::make_unique<JournalSink>(
      parsers_, settings_, start,
      [this](ErrorRecord& r) {
        const uint64_t seq = ship_(r);
        // The input's first record in a batch marks where the batches before it end; the
        // others of the batch add nothing, so the position is built once per batch.
        if (seq == last_seq_) return;
        last_seq_ = seq;
        tracker_.recordedJournal(key_, sink_->position(), seq);
      },
      totals_);
  tracker_.followJournal(key_, {0, 0, start});
  if (paused_) reader_->pause();
}

void JournalInput::onEntry(const JournalEntry& entry) {
  sink_->add(entry, JournalSink::Clock::now());
}

void JournalInput::onTurn() {
  sink_->trim();
  tracker_.reachedJournal(key_, sink_->position());
  tickLater();
}

void JournalInput::tickLater() {
  if (ticking_ || draining_ || !sink_ || sink_->sources() == 0) return;
  ticking_ = true;
  tick_timer_.expires_after(tick_every_);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    ticking_ = false;
    if (ec || draining_) return;
    // Open events of quiet processes are complete; quiet processes are forgotten.
    sink_->tick(JournalSink::Clock::now());
    tracker_.reachedJournal(key_, sink_->position());
    tickLater();
  });
}

void JournalInput::pause() {
  paused_ = true;
  if (reader_) reader_->pause();
}

void JournalInput::resume() {
  paused_ = false;
  if (reader_) reader_->resume();
}

void JournalInput::drain() {
  if (draining_) return;
  draining_ = true;
  reopen_timer_.cancel();
  tick_timer_.cancel();
  if (reader_) reader_->stop();
  if (sink_) {
    sink_->flushAll();
    tracker_.reachedJournal(key_, sink_->position());
  }
}

JournalInput::Stats JournalInput::stats() const {
  Stats s;
  if (sink_) {
    s.sink = sink_->stats();
    s.sources = sink_->sources();
    s.lag_entries = tracker_.journalLag(key_, sink_->next());
  }
  s.read_errors = open_failures_ + (reader_ ? reader_->errors() : 0);
  s.open = reader_ != nullptr;
  return s;
}

}  // namespace homeo
