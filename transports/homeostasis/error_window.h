#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "transports/record_keys.h"

namespace homeo {

// The most recent distinct errors, newest first: what the homeostasis transport's window file
// holds, so that a reader taking the first N lines gets the N newest. One entry per error of a
// service (its service and metadata.fingerprint), holding the latest occurrence; a record
// without a fingerprint is an entry of its own (by its error_id).
class ErrorWindow {
 public:
  struct Entry {
    std::string key;   // entryKey() of the record; empty: equal to no other
    std::string line;  // the record as written, without newline
  };

  explicit ErrorWindow(size_t capacity) : capacity_(capacity) {}

  // The grouping key of a record: service and fingerprint, else its error_id, else empty.
  static std::string entryKey(const RecordKeys& keys);

  // Puts `line` first, replacing the entry with the same key, and drops the oldest entry past
  // the capacity.
  void push(std::string key, std::string line);

  // Rebuilds the window from the text of its file (lines newest first, as contents() writes
  // them), keeping the first occurrence of each key up to the capacity. Returns the number of
  // lines that are not JSON objects (left out): a file holding any was not written by the
  // window alone.
  size_t load(std::string_view text, RecordKeyReader& reader);

  // The lines, newest first, each ending in '\n'.
  std::string contents() const;

  const std::vector<Entry>& entries() const { return entries_; }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::vector<Entry> entries_;  // newest first
};

}  // namespace homeo
