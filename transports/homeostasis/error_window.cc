#include "transports/homeostasis/error_window.h"

#include <algorithm>
#include <utility>

namespace homeo {

std::string ErrorWindow::entryKey(const RecordKeys& keys) {
  std::string key;
  if (!keys.fingerprint.empty()) {
    key.reserve(keys.service.size() + keys.fingerprint.size() + 4);
    key.append("fp:").append(keys.service).push_back('\x1f');
    key.append(keys.fingerprint);
  } else if (!keys.error_id.empty()) {
    key.append("id:").append(keys.error_id);
  }
  return key;
}

void ErrorWindow::push(std::string key, std::string line) {
  if (!key.empty()) {
    const auto same = std::find_if(entries_.begin(), entries_.end(),
                                   [&](const Entry& e) { return e.key == key; });
    if (same != entries_.end()) entries_.erase(same);
  }
  entries_.insert(entries_.begin(), Entry{std::move(key), std::move(line)});
  if (entries_.size() > capacity_) entries_.resize(capacity_);
}

size_t ErrorWindow::load(std::string_view text, RecordKeyReader& reader) {
  entries_.clear();
  size_t foreign = 0;
  RecordKeys keys;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (!reader.read(line, keys)) {
      ++foreign;
      continue;
    }
    if (entries_.size() >= capacity_) continue;  // still checked for foreign lines
    std::string key = entryKey(keys);
    const bool seen = !key.empty() && std::any_of(entries_.begin(), entries_.end(),
                                                  [&](const Entry& e) { return e.key == key; });
    if (!seen) entries_.push_back(Entry{std::move(key), std::string(line)});
  }
  return foreign;
}

std::string ErrorWindow::contents() const {
  size_t bytes = 0;
  for (const Entry& e : entries_) bytes += e.line.size() + 1;
  std::string out;
  out.reserve(bytes);
  for (const Entry& e : entries_) {
    out.append(e.line);
    out.push_back('\n');
  }
  return out;
}

}  // namespace homeo
