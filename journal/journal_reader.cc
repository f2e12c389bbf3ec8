#include "journal/journal_reader.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-journal.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>
#include <utility>

namespace homeo {
namespace {

// Copies `data` (FIELD=value) into `out` when it is the field `name` (with its '=').
bool takeField(std::string_view data, std::string_view name, std::string& out) {
  if (data.size() < name.size() || data.compare(0, name.size(), name) != 0) return false;
  out.assign(data.substr(name.size()));
  return true;
}

std::string errnoText(int negative_errno) { return std::strerror(-negative_errno); }

}  // namespace

JournalReader::JournalReader(boost::asio::any_io_executor loop, Options options, OnEntry on_entry,
                             OnTurn on_turn)
    : loop_(loop),
      options_(std::move(options)),
      on_entry_(std::move(on_entry)),
      on_turn_(std::move(on_turn)),
      timer_(loop) {}

JournalReader::~JournalReader() {
  alive_.reset();
  stop();
  // The descriptor is the journal's: closed by sd_journal_close, not by asio.
  if (fd_) (void)fd_->release();
  if (j_ != nullptr) sd_journal_close(j_);
}

bool JournalReader::open(std::string* error) {
  const std::string what =
      options_.directory.empty() ? "the system journal" : "journal directory " + options_.directory;
  int r = options_.directory.empty()
              ? sd_journal_open(&j_, SD_JOURNAL_LOCAL_ONLY)
              : sd_journal_open_directory(&j_, options_.directory.c_str(), 0);
  if (r < 0) {
    j_ = nullptr;
    *error = "cannot open " + what + ": " + errnoText(r);
    return false;
  }
  // Matches on one field are alternatives; the disjunction makes the user units another.
  for (const std::string& unit : options_.units) {
    const std::string m = "_SYSTEMD_UNIT=" + unit;
    r = sd_journal_add_match(j_, m.data(), m.size());
    if (r < 0) break;
  }
  if (r >= 0 && !options_.units.empty()) r = sd_journal_add_disjunction(j_);
  for (const std::string& unit : options_.units) {
    if (r < 0) break;
    const std::string m = "_SYSTEMD_USER_UNIT=" + unit;
    r = sd_journal_add_match(j_, m.data(), m.size());
  }
  if (r >= 0) r = sd_journal_set_data_threshold(j_, options_.max_field_bytes);
  // The descriptor is asked for before reading, so no change after the last read is missed.
  const int fd = r >= 0 ? sd_journal_get_fd(j_) : r;
  if (fd < 0) {
    *error = "cannot watch " + what + ": " + errnoText(fd);
    sd_journal_close(j_);
    j_ = nullptr;
    return false;
  }
  fd_ = std::make_unique<boost::asio::posix::stream_descriptor>(loop_, fd);
  return true;
}

std::optional<std::string> JournalReader::start(const Start& start) {
  std::optional<std::string> tail;
  if (j_ == nullptr || started_) return tail;
  started_ = true;
  switch (start.kind) {
    case Start::Kind::kHead:
      sd_journal_seek_head(j_);
      break;
    case Start::Kind::kTail:
      // On the last entry, so that the next one read is the first written after it.
      sd_journal_seek_tail(j_);
      if (sd_journal_previous(j_) > 0) {
        char* c = nullptr;
        if (sd_journal_get_cursor(j_, &c) >= 0) {
          tail = c;
          std::free(c);
        }
      }
      break;
    case Start::Kind::kAfterCursor:
      // At the entry, or the closest one when it is gone (vacuumed); it is skipped only when
      // it is the entry itself.
      if (const int r = sd_journal_seek_cursor(j_, start.cursor.c_str()); r < 0) {
        // Nothing after it can be found: everything is read again rather than skipped.
        spdlog::warn("journal cursor {} is not usable ({}); reading the journal from its head",
                     start.cursor, errnoText(r));
        sd_journal_seek_head(j_);
        break;
      }
      skip_cursor_ = start.cursor;
      break;
  }
  passing_ = !start.done.empty() && !start.held.empty() && start.done != start.cursor;
  if (passing_) {
    done_ = start.done;
    done_realtime_ = start.done_realtime_usec;
    held_.insert(start.held.begin(), start.held.end());
  }
  schedule();
  return tail;
}

void JournalReader::pause() { paused_ = true; }

void JournalReader::resume() {
  if (!paused_) return;
  paused_ = false;
  if (!waiting_) schedule();
}

void JournalReader::stop() {
  stopped_ = true;
  timer_.cancel();
  if (fd_) fd_->cancel();
}

void JournalReader::schedule() {
  if (turn_posted_ || stopped_) return;
  turn_posted_ = true;
  boost::asio::post(loop_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    turn_posted_ = false;
    readTurn();
  });
}

void JournalReader::readTurn() {
  if (stopped_ || paused_ || j_ == nullptr) return;
  bool more = false;
  for (int n = 0; n < kTurnEntries; ++n) {
    if (paused_ || stopped_) break;
    const int r = sd_journal_next(j_);
    if (r < 0) {
      ++errors_;
      if (!error_logged_) spdlog::error("reading the journal failed: {}", errnoText(r));
      error_logged_ = true;
      break;
    }
    if (r == 0) break;
    more = n + 1 == kTurnEntries;
    if (!skip_cursor_.empty()) {
      const bool done_before = sd_journal_test_cursor(j_, skip_cursor_.c_str()) > 0;
      skip_cursor_.clear();
      if (done_before) continue;
    }
    if (passing_ && passDone()) continue;
    if (readEntry()) {
      ++entries_;
      error_logged_ = false;
      on_entry_(entry_);
    }
  }
  if (on_turn_) on_turn_();
  if (stopped_ || paused_) return;
  if (more) {
    schedule();
  } else {
    waitForChange();
  }
}

bool JournalReader::passDone() {
  // Read again from before the oldest entry held at the checkpoint: the entries between that
  // were done then are handed on as done, without their message; the held ones are read.
  char* c = nullptr;
  if (sd_journal_get_cursor(j_, &c) < 0) return false;
  std::string cursor(c);
  std::free(c);
  uint64_t realtime = 0;
  sd_journal_get_realtime_usec(j_, &realtime);
  const bool held = held_.count(cursor) > 0;
  // At `done`, or past its time (it was vacuumed): everything from here on is read.
  if (cursor == done_ || realtime > done_realtime_) {
    passing_ = false;
    held_ = {};
    if (cursor != done_) return false;
  }
  if (held) return false;
  entry_.clear();
  entry_.cursor = std::move(cursor);
  entry_.realtime_usec = realtime;
  ++entries_;
  on_entry_(entry_);
  return true;
}

bool JournalReader::readEntry() {
  entry_.clear();
  char* c = nullptr;
  if (sd_journal_get_cursor(j_, &c) < 0) {
    ++errors_;
    return false;
  }
  entry_.cursor.assign(c);
  std::free(c);
  sd_journal_get_realtime_usec(j_, &entry_.realtime_usec);
  std::string priority;
  const void* data = nullptr;
  size_t len = 0;
  sd_journal_restart_data(j_);
  // One pass over the fields: each pointer is valid until the next call only.
  while (sd_journal_enumerate_data(j_, &data, &len) > 0) {
    const std::string_view d(static_cast<const char*>(data), len);
    if (d.empty()) continue;
    switch (d[0]) {
      case 'M':
        if (takeField(d, "MESSAGE=", entry_.message)) entry_.has_message = true;
        break;
      case 'P':
        if (takeField(d, "PRIORITY=", priority) && priority.size() == 1 && priority[0] >= '0' &&
            priority[0] <= '7') {
          entry_.priority = priority[0] - '0';
        }
        break;
      case '_':
        takeField(d, "_PID=", entry_.pid) || takeField(d, "_COMM=", entry_.comm) ||
            takeField(d, "_SYSTEMD_UNIT=", entry_.unit) ||
            takeField(d, "_SYSTEMD_USER_UNIT=", entry_.user_unit) ||
            takeField(d, "_HOSTNAME=", entry_.hostname) ||
            takeField(d, "_BOOT_ID=", entry_.boot_id);
        break;
      default:
        break;
    }
  }
  return true;
}

void JournalReader::waitForChange() {
  if (waiting_ || stopped_ || !fd_) return;
  waiting_ = true;
  auto woken = [this, alive = std::weak_ptr<int>(alive_)](bool by_timer) {
    if (alive.expired() || !waiting_) return;
    waiting_ = false;
    // The other wait ends (aborted, ignored).
    if (by_timer) {
      fd_->cancel();
    } else {
      timer_.cancel();
    }
    if (stopped_) return;
    // Takes what the descriptor signalled (appended entries, files added or removed).
    sd_journal_process(j_);
    readTurn();
  };
  fd_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [woken](const boost::system::error_code& ec) {
                    if (!ec) woken(false);
                  });
  // Where the journal cannot be watched (sd_journal_get_timeout tells), it is looked at again
  // after the time it names.
  uint64_t timeout_usec = UINT64_MAX;
  if (sd_journal_get_timeout(j_, &timeout_usec) >= 0 && timeout_usec != UINT64_MAX) {
    // The timeout is an absolute CLOCK_MONOTONIC time.
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const uint64_t now_usec =
        static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
    const uint64_t wait = timeout_usec > now_usec ? timeout_usec - now_usec : 0;
    timer_.expires_after(std::chrono::microseconds(wait));
    timer_.async_wait([woken](const boost::system::error_code& ec) {
      if (!ec) woken(true);
    });
  }
}

}  // namespace homeo
