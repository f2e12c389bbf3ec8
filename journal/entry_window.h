#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace homeo {

// The journal entries read but not yet behind the checkpoint position, by number (entries are
// numbered 0, 1, 2... as read): each one's cursor, time and priority, for the records that
// begin at it and for the position after it. Slots are reused, so a steady stream of entries
// allocates nothing once the window has grown to its working size.
class EntryWindow {
 public:
  struct Entry {
    std::string cursor;
    uint64_t realtime_usec = 0;
    int priority = -1;
  };

  // Starts numbering at 0; `cursor` is the position before entry 0 (the entry read last
  // before, empty when none), `realtime_usec` that entry's time.
  explicit EntryWindow(std::string cursor = {}, uint64_t realtime_usec = 0)
      : before_front_(std::move(cursor)), before_front_realtime_(realtime_usec) {}

  // Appends the next entry and returns its number.
  uint64_t push(std::string_view cursor, uint64_t realtime_usec, int priority);

  // The number the next entry gets.
  uint64_t next() const { return front_ + size_; }
  // The oldest number still held.
  uint64_t front() const { return front_; }
  size_t size() const { return size_; }

  // Entry `n`, which must be held (front() <= n < next()).
  const Entry& at(uint64_t n) const { return slots_[(head_ + (n - front_)) % slots_.size()]; }
  // The cursor of the position before entry `n` (front() <= n <= next()): the cursor of
  // entry n - 1.
  const std::string& cursorBefore(uint64_t n) const {
    return n == front_ ? before_front_ : at(n - 1).cursor;
  }
  uint64_t realtimeBefore(uint64_t n) const {
    return n == front_ ? before_front_realtime_ : at(n - 1).realtime_usec;
  }

  // Drops the entries before `n` (no more is asked of them than the position before n).
  void dropBefore(uint64_t n);

 private:
  std::vector<Entry> slots_;
  size_t head_ = 0;  // the slot of entry front_
  size_t size_ = 0;
  uint64_t front_ = 0;
  std::string before_front_;
  uint64_t before_front_realtime_ = 0;
};

}  // namespace homeo
