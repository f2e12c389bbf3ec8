#include "journal/entry_window.h"

#include <utility>

namespace homeo {

uint64_t EntryWindow::push(std::string_view cursor, uint64_t realtime_usec, int priority) {
  if (size_ == slots_.size()) {
    // Full: unroll into a twice larger ring, oldest first.
    std::vector<Entry> grown(slots_.empty() ? 64 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) grown[i] = std::move(slots_[(head_ + i) % slots_.size()]);
    slots_ = std::move(grown);
    head_ = 0;
  }
  Entry& e = slots_[(head_ + size_) % slots_.size()];
  e.cursor.assign(cursor);
  e.realtime_usec = realtime_usec;
  e.priority = priority;
  ++size_;
  return front_ + size_ - 1;
}

void EntryWindow::dropBefore(uint64_t n) {
  while (front_ < n && size_ > 0) {
    // The dropped entry's cursor is the position before the new front; swapped, not copied,
    // so both strings keep their buffers.
    std::swap(before_front_, slots_[head_].cursor);
    before_front_realtime_ = slots_[head_].realtime_usec;
    head_ = (head_ + 1) % slots_.size();
    --size_;
    ++front_;
  }
}

}  // namespace homeo
