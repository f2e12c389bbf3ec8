#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

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

  // The next mark is new even at an offset marked before.
  void restarted() { last_mark_ = UINT64_MAX; }

  bool empty() const { return marks_.empty(); }
  // Whether the newest mark waits for a batch after `acked`.
  bool waitingForAck(uint64_t acked) const {
    return !marks_.empty() && marks_.back().first > acked;
  }

  // Removes the marks of batches up to `acked` and returns the newest of them, if any.
  std::optional<Position> takeAcked(uint64_t acked) {
    std::optional<Position> last;
    while (!marks_.empty() && marks_.front().first <= acked) {
      last = std::move(marks_.front().second);
      marks_.pop_front();
    }
    return last;
  }

 private:
  std::deque<std::pair<uint64_t, Position>> marks_;
  uint64_t batch_seq_ = 0;  // the batch the source's last record went into
  uint64_t last_mark_ = UINT64_MAX;
};

}  // namespace homeo
