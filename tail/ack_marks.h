#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace homeo {

// The marks of one source (a file, a journal input) waiting for acknowledgement. A mark notes
// "everything before this position is in batches up to S"; once every batch up to S is
// acknowledged, the mark can become the source's checkpoint. `Position` is anything with a
// uint64_t `offset` that grows while the source is read (a byte offset, an entry's number);
// restarted() lets it start over (a truncated file).
template <typename Position>
class AckMarks {
 public:
  // A mark at `at` for batches up to `seq`. Returns whether `seq` is acknowledged already
  // (`acked`), so that the mark can be committed at once.
  bool place(uint64_t seq, const Position& at, uint64_t acked) {
    last_mark_ = at.offset;
    marks_.push_back({seq, at});
    return seq <= acked;
  }

  // A record of the source that begins at `at` went into batch `seq`. The source's first
  // record in a new batch means that everything before it is in the batches before that one:
  // a mark per batch lets the checkpoint follow acknowledgements batch by batch, however many
  // batches one read produced. Returns what place() returns (false when no mark was placed).
  bool recorded(const Position& at, uint64_t seq, uint64_t acked) {
    if (batch_seq_ == seq) return false;
    bool placed = false;
    if (batch_seq_ != 0 && at.offset != last_mark_ &&
        (marks_.empty() || at.offset > marks_.back().second.offset)) {
      placed = place(seq - 1, at, acked);
    }
    batch_seq_ = seq;
    return placed;
  }

  // Everything before `at` is in the batches up to `newest_seq` (sealed or open).
  bool reached(const Position& at, uint64_t newest_seq, uint64_t acked) {
    if (at.offset == last_mark_) return false;
    return place(newest_seq, at, acked);
  }

  // The next mark is new even at an offset marked before. Holds on the content before are
  // let go: it is gone.
  void restarted() {
    last_mark_ = UINT64_MAX;
    holds_.clear();
  }

  bool empty() const { return marks_.empty() && holds_.empty(); }
  // Whether the newest mark waits for a batch after `acked`.
  bool waitingForAck(uint64_t acked) const {
    return !marks_.empty() && marks_.back().first > acked;
  }

  // An event that begins at `offset` is in no batch yet (held back to be counted into a later
  // summary record): no mark beyond it may become the checkpoint until release(). Returns
  // the hold's token.
  uint64_t hold(uint64_t offset) {
    holds_.push_back({++hold_tokens_, offset, 0});
    return hold_tokens_;
  }
  // The held event is in batch `seq` now (its summary record's): marks beyond it wait for
  // that batch too. An unknown token (the source was restarted) is ignored.
  void release(uint64_t token, uint64_t seq) {
    for (auto& h : holds_) {
      if (h.token == token) h.seq = seq;
    }
  }
  size_t holds() const { return holds_.size(); }

  // Removes the marks of batches up to `acked` and returns the newest of them, if any. Marks
  // beyond an event still held, or released into a batch after `acked`, stay.
  std::optional<Position> takeAcked(uint64_t acked) {
    uint64_t limit = UINT64_MAX;
    std::erase_if(holds_, [&](const Hold& h) { return h.seq != 0 && h.seq <= acked; });
    for (const auto& h : holds_) limit = std::min(limit, h.offset);
    std::optional<Position> last;
    while (!marks_.empty() && marks_.front().first <= acked &&
           marks_.front().second.offset <= limit) {
      last = std::move(marks_.front().second);
      marks_.pop_front();
    }
    return last;
  }

 private:
  struct Hold {
    uint64_t token;
    uint64_t offset;
    uint64_t seq;  // the batch it was released into; 0 while held
  };
  std::deque<std::pair<uint64_t, Position>> marks_;
  std::vector<Hold> holds_;
  uint64_t hold_tokens_ = 0;
  uint64_t batch_seq_ = 0;  // the batch the source's last record went into
  uint64_t last_mark_ = UINT64_MAX;
};

}  // namespace homeo
