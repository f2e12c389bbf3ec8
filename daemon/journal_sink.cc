#include "daemon/journal_sink.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "common/hash.h"
#include "parsers/line_header.h"

namespace homeo {

JournalSink::JournalSink(const ParserSet& parsers, JournalSinkSettings settings,
                         JournalCheckpoint start, Emit emit, ParseTotals& totals)
    : parsers_(parsers),
      settings_(std::move(settings)),
      // A message without a level of its own is read at INFO (the text format's default)
      // and may then be raised by its PRIORITY, so the parsers must not drop INFO events.
      parse_level_(std::min(settings_.min_level, Level::kInfo)),
      emit_(std::move(emit)),
      totals_(totals),
      start_(std::move(start)),
      window_(start_.resume) {}

JournalSink::~JournalSink() {
  for (auto& [key, source] : sources_) totals_.retire(source.parser.get());
}

bool JournalSink::hasOwnLevel(const ErrorRecord& r, std::string_view first_line) {
  if (r.format != "text") return true;  // every other format's header has a level
  if (!r.traceback.empty() || !r.exception_type.empty()) return true;  // a crash's or trace's
  return findLevelToken(first_line).has_value();
}

void JournalSink::add(const JournalEntry& entry, Clock::time_point now) {
  // The source first: making room for it may complete another's events, whose position must
  // not count this entry as read yet (it is no one's to hold until it is added).
  Source* source = entry.has_message ? &sourceFor(entry, now) : nullptr;
  const uint64_t n = window_.push(entry.cursor, entry.realtime_usec, entry.priority);
  ++stats_.entries;
  ++progress_;
  if (!source) {
    ++stats_.without_message;
    return;
  }
  stats_.bytes += entry.message.size();
  source->last_seen = now;
  source->last_end = n + 1;
  source->entries.push_back(n);
  // A message of several lines (a traceback sent as one entry) is several lines of the
  // source, all at the entry's number; the last one ends it.
  std::string_view message = entry.message;
  if (!message.empty() && message.back() == '\n') message.remove_suffix(1);
  for (;;) {
    const size_t nl = message.find('\n');
    std::string_view line = message.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > settings_.max_line_bytes) {
      line = line.substr(0, settings_.max_line_bytes);
      ++stats_.truncated;
    }
    const bool last = nl == std::string_view::npos;
    source->parser->addLine(line, n, last ? n + 1 : n);
    if (last) break;
    message.remove_prefix(nl + 1);
  }
}

JournalSink::Source& JournalSink::sourceFor(const JournalEntry& e, Clock::time_point now) {
  key_.assign(e.boot_id).append(1, '\x1f').append(e.unit).append(1, '\x1f').append(e.user_unit);
  key_.append(1, '\x1f');
  if (e.pid.empty()) key_.append("comm=").append(e.comm);  // kernel and other pid-less entries
  key_.append(e.pid);
  if (auto it = sources_.find(key_); it != sources_.end()) return it->second;
  if (sources_.size() >= settings_.max_sources) evictOne();
  Source& s = sources_[key_];
  s.unit = e.unit;
  s.user_unit = e.user_unit;
  s.pid = e.pid;
  s.comm = e.comm;
  s.hostname = e.hostname;
  s.boot_id = e.boot_id;
  s.key_hash = fnv1a(key_);
  s.last_seen = now;
  SourceInfo info;
  info.key = s.key_hash;
  info.format = settings_.format;
  info.service = settings_.service;
  info.release = settings_.release;
  info.environment = settings_.environment;
  info.in_app = settings_.in_app;
  info.tags = settings_.tags;
  info.min_level = parse_level_;
  info.host = settings_.host;
  Source* self = &s;  // map nodes stay where they are
  s.parser = std::make_unique<SourceParser>(parsers_, std::move(info),
                                            [this, self](ErrorRecord& r) { onRecord(*self, r); });
  totals_.attach(s.parser.get());
  return s;
}

void JournalSink::evictOne() {
  auto quietest = sources_.end();
  for (auto it = sources_.begin(); it != sources_.end(); ++it) {
    if (quietest == sources_.end() || it->second.last_seen < quietest->second.last_seen) {
      quietest = it;
    }
  }
  if (quietest == sources_.end()) return;
  quietest->second.parser->flush();
  forget(quietest);
}

void JournalSink::forget(std::unordered_map<std::string, Source>::iterator it) {
  totals_.retire(it->second.parser.get());
  sources_.erase(it);
}

void JournalSink::onRecord(const Source& s, ErrorRecord& r) {
  const uint64_t first = r.source_offset;
  const bool known = first >= window_.front() && first < window_.next();
  if (known) {
    const EntryWindow::Entry& e = window_.at(first);
    const std::string_view raw = r.raw_log;
    if (e.priority >= 0 && !hasOwnLevel(r, raw.substr(0, raw.find('\n')))) {
      r.level = levelFromSyslogSeverity(e.priority);
    }
    if (r.time == 0 && e.realtime_usec > 0) {
      r.time = static_cast<UnixNanos>(e.realtime_usec) * 1000;
    }
    // The id SourceParser made from the entry's number, which another reading numbers
    // otherwise, is made from the entry's cursor instead: the same after a restart.
    if (r.error_id == computeErrorId(settings_.host, s.key_hash, first, r.raw_log)) {
      r.error_id = computeErrorId(settings_.host, fnv1a(e.cursor), 0, r.raw_log);
    }
  }
  if (r.level < settings_.min_level) {
    ++stats_.below_level;
    totals_.belowLevel();
    return;
  }
  setField(r.source, "type", "journald");
  if (!s.unit.empty()) setField(r.source, "unit", s.unit);
  if (!s.user_unit.empty()) setField(r.source, "user_unit", s.user_unit);
  if (!settings_.directory.empty()) setField(r.source, "directory", settings_.directory);
  if (known) setField(r.source, "cursor", window_.at(first).cursor);
  JsonObject journal;
  int64_t pid = 0;
  const auto [end, ec] = std::from_chars(s.pid.data(), s.pid.data() + s.pid.size(), pid);
  if (ec == std::errc() && end == s.pid.data() + s.pid.size() && !s.pid.empty()) {
    setField(journal, "pid", pid);
  }
  if (!s.comm.empty()) setField(journal, "comm", s.comm);
  if (!s.unit.empty()) setField(journal, "unit", s.unit);
  if (!s.user_unit.empty()) setField(journal, "user_unit", s.user_unit);
  if (!s.hostname.empty()) setField(journal, "hostname", s.hostname);
  if (!s.boot_id.empty()) setField(journal, "boot_id", s.boot_id);
  setField(r.context, "journal", std::move(journal));
  ++progress_;
  emit_(r);
}

JournalPosition JournalSink::position() const {
  JournalPosition p;
  p.offset = progress_;
  p.entries = window_.next();
  if (window_.next() == 0) {
    p.at = start_;  // nothing read yet: where reading started
    return p;
  }
  // The entries each source may still hold: its own from its safe offset on (also while it
  // replays a detection sample, whose later lines are past that offset).
  held_.clear();
  for (const auto& [key, s] : sources_) {
    const uint64_t safe = s.parser->safeOffset();
    for (auto it = s.entries.rbegin(); it != s.entries.rend() && *it >= safe; ++it) {
      held_.push_back(*it);
    }
  }
  std::sort(held_.begin(), held_.end());
  const uint64_t next = window_.next();
  if (held_.size() > kMaxHeld) {
    // Too many to list: everything from the oldest held entry on is read again.
    const uint64_t oldest = std::max(held_.front(), window_.front());
    p.at.resume = p.at.done = window_.cursorBefore(oldest);
    p.at.done_realtime_usec = window_.realtimeBefore(oldest);
    return p;
  }
  p.at.done = window_.cursorBefore(next);
  p.at.done_realtime_usec = window_.realtimeBefore(next);
  p.at.resume = held_.empty() ? p.at.done : window_.cursorBefore(held_.front());
  for (uint64_t n : held_) p.at.held.push_back(window_.at(n).cursor);
  return p;
}

uint64_t JournalSink::oldestHeld() {
  uint64_t oldest = window_.next();
  for (auto& [key, s] : sources_) {
    const uint64_t safe = s.parser->safeOffset();
    while (!s.entries.empty() && s.entries.front() < safe) s.entries.pop_front();
    if (!s.entries.empty()) oldest = std::min(oldest, s.entries.front());
  }
  return oldest;
}

void JournalSink::tick(Clock::time_point now) {
  for (auto it = sources_.begin(); it != sources_.end();) {
    Source& s = it->second;
    const auto quiet = now - s.last_seen;
    if (s.holds() && quiet >= settings_.multiline_timeout) {
      s.parser->flush();
      ++progress_;
    }
    if (!s.holds() && quiet >= settings_.idle_source) {
      totals_.retire(s.parser.get());
      it = sources_.erase(it);
    } else {
      ++it;
    }
  }
  window_.dropBefore(oldestHeld());
}

void JournalSink::trim() { window_.dropBefore(oldestHeld()); }

void JournalSink::flushAll() {
  for (auto& [key, s] : sources_) s.parser->flush();
  ++progress_;
  window_.dropBefore(oldestHeld());
}

}  // namespace homeo
