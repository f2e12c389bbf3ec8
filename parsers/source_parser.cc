#include "parsers/source_parser.h"

#include <algorithm>

#include "common/in_app.h"
#include "parsers/crash.h"
#include "parsers/trace.h"

namespace homeo {

void SourceParser::LineBuffer::add(std::string_view line, uint64_t offset, uint64_t end) {
  if (!spans.empty()) text.push_back('\n');
  spans.emplace_back(static_cast<uint32_t>(text.size()), static_cast<uint32_t>(line.size()));
  text.append(line);
  offsets.emplace_back(offset, end);
}

void SourceParser::LineBuffer::popBack() {
  const uint32_t off = spans.back().first;
  text.resize(off > 0 ? off - 1 : 0);  // with the '\n' before the line
  spans.pop_back();
  offsets.pop_back();
}

void SourceParser::LineBuffer::clear() {
  text.clear();
  spans.clear();
  offsets.clear();
}

const std::vector<std::string_view>& SourceParser::LineBuffer::makeViews() {
  views.clear();
  for (const auto& [off, len] : spans) views.emplace_back(text.data() + off, len);
  return views;
}

SourceParser::SourceParser(const ParserSet& parsers, SourceInfo info, Sink sink)
    : parsers_(parsers), info_(std::move(info)), sink_(std::move(sink)) {
  auto_detect_ = info_.format == "auto";
  if (!auto_detect_) {
    format_ = parsers_.find(info_.format);
    if (!format_) format_ = &parsers_.text();
    confidence_ = 1.0;
  }
}

uint64_t SourceParser::safeOffset() const {
  if (unwrapper_.pending()) {
    uint64_t off = unwrapper_.pendingOffset();
    if (!sample_.offsets.empty()) off = std::min(off, sample_.offsets.front().first);
    if (event_open_ && !event_.offsets.empty()) off = std::min(off, event_.offsets.front().first);
    return off;
  }
  if (!sample_.offsets.empty()) return sample_.offsets.front().first;
  if (event_open_ && !event_.offsets.empty()) return event_.offsets.front().first;
  return last_end_;
}

void SourceParser::addLine(std::string_view line, uint64_t offset, uint64_t end) {
  ++stats_.lines;
  if (unwrapper_.kind() == ContainerUnwrapper::Kind::kUnknown) unwrapper_.decide(line);
  if (unwrapper_.kind() == ContainerUnwrapper::Kind::kNone) {
    addInnerLine(line, offset, end);
    return;
  }
  last_raw_end_ = end;
  unwrapper_.unwrap(line, offset, [&](std::string_view inner, uint64_t start) {
    addInnerLine(inner, start, end);
  });
}

void SourceParser::addInnerLine(std::string_view line, uint64_t offset, uint64_t end) {
  if (redetect_) {
    // Complete what is open first, so that safeOffset() never passes an unfinished event.
    redetect_ = false;
    if (event_open_) completeEvent();
    previous_format_ = format_;
    format_ = nullptr;
    second_ = nullptr;
    ++stats_.redetections;
  }
  if (!format_) {
    sample_.add(line, offset, end);
    if (sample_.size() >= kDetectLines || sample_.text.size() >= kMaxEventBytes) detect();
    return;
  }
  assemble(line, offset, end);
}

void SourceParser::flush() {
  if (unwrapper_.pending()) {
    const uint64_t start = unwrapper_.pendingOffset();
    addInnerLine(unwrapper_.takePending(), start, last_raw_end_);
  }
  if (!format_ && sample_.size() > 0) detect();
  if (event_open_) completeEvent();
}

void SourceParser::abandonAt(uint64_t offset) {
  if (unwrapper_.pending()) (void)unwrapper_.takePending();
  sample_.clear();
  event_.clear();
  event_open_ = false;
  last_end_ = offset;
}

void SourceParser::detect() {
  const auto& views = sample_.makeViews();
  const Detection d = detectFormat(parsers_, views);
  format_ = d.parser;
  second_ = d.second;
  confidence_ = d.confidence;
  if (previous_format_ != nullptr) {
    window_size_ = format_ == previous_format_ ? std::min(window_size_ * 2, kRedetectWindow << 12)
                                               : kRedetectWindow;
  }
  window_events_ = 0;
  window_misses_ = 0;
  // Replay the sample through the assembler. The views point into sample_, which stays
  // untouched until the replay is over.
  LineBuffer sample = std::move(sample_);
  sample_.clear();
  sample.makeViews();
  for (size_t i = 0; i < sample.views.size(); ++i) {
    assemble(sample.views[i], sample.offsets[i].first, sample.offsets[i].second);
  }
}

void SourceParser::assemble(std::string_view line, uint64_t offset, uint64_t end) {
  Parser* parser = format_;
  EventStart start = format_->scanStart(line);
  if (!start.starts && second_ != nullptr) {
    // A header of the second program writing into the file: an event of that format.
    parser = second_;
    start = second_->scanStart(line);
  }
  if (start.starts) {
    if (event_open_) completeEvent();
    openEvent(parser, start);
    event_.add(line, offset, end);
    last_end_ = end;
    return;
  }
  const CrashStart crash = crashStart(line);
  if (event_open_) {
    const bool fits =
        event_.size() < kMaxEventLines && event_.text.size() + line.size() < kMaxEventBytes;
    const Join j = fits ? join(line, crash) : Join::kNewEvent;
    if (j == Join::kContinue) {
      event_.add(line, offset, end);
      last_end_ = end;
      return;
    }
    if (!fits) ++stats_.split_events;
    if (j == Join::kSplitLast) {
      // "Type: msg" + "at ..." below a line that does not own them: the two lines begin a
      // trace of their own.
      const auto [off, len] = event_.spans.back();
      const auto [from, to] = event_.offsets.back();
      carried_.assign(event_.text, off, len);
      event_.popBack();
      completeEvent();
      openEvent(&parsers_.text());
      event_holds_trace_ = true;
      event_.add(carried_, from, to);
      event_.add(line, offset, end);
      last_end_ = end;
      return;
    }
    completeEvent();
  }
  // No format claims the line and no event takes it: a text event of its own (a bare
  // traceback, a stray message between JSON lines).
  openEvent(&parsers_.text());
  event_holds_trace_ = crash != CrashStart::kNone;
  event_.add(line, offset, end);
  last_end_ = end;
}

void SourceParser::openEvent(Parser* parser, const EventStart& start) {
  event_parser_ = parser;
  event_open_ = true;
  event_holds_trace_ = false;
  event_level_ = start.level;
  event_level_if_alone_ = start.if_alone;
}

SourceParser::Join SourceParser::join(std::string_view line, CrashStart crash) {
  const auto& views = event_.makeViews();
  const std::span<const std::string_view> event(views);
  switch (crash) {
    case CrashStart::kRuntime:
      // A runtime's report of an uncaught error is nobody's continuation line (the parts of
      // it that follow, such as Go's indented re-panic, are no CrashStart).
      return Join::kNewEvent;
    case CrashStart::kTrace:
      if (event_holds_trace_) {
        // A chained Python traceback continues; a second trace is a crash of its own.
        return continuesTrace(event, line) ? Join::kContinue : Join::kNewEvent;
      }
      if (!takesTrace(event, line) || !headerOwnsTrace(event)) return Join::kNewEvent;
      event_holds_trace_ = true;
      return Join::kContinue;
    case CrashStart::kNone:
      break;
  }
  if (!event_parser_->continuesEvent(event, line)) return Join::kNewEvent;
  if (!event_holds_trace_ && event.size() >= 2 && startsAtTrace(event.back(), line)) {
    if (!headerOwnsTrace(event.first(event.size() - 1))) return Join::kSplitLast;
    event_holds_trace_ = true;
  }
  return Join::kContinue;
}

bool SourceParser::takesTrace(std::span<const std::string_view> event,
                              std::string_view line) const {
  // The fallback's own rule keeps a trace apart from the line above it; whether that line
  // owns the trace is decided here, as for every format.
  return event_parser_ == &parsers_.text() || event_parser_->continuesEvent(event, line);
}

bool SourceParser::headerOwnsTrace(std::span<const std::string_view> event) {
  // A header at WARNING or above owns the trace below it (logger.exception(),
  // log.error("...", e)); below a DEBUG or INFO line, a trace is taken for a crash the
  // runtime wrote between the application's lines. Asked once per trace, not per line.
  if (event_level_ && *event_level_ < Level::kWarning) return false;
  header_scratch_.clear();
  const LogEvent header{event.first(std::min(event.size(), event_parser_->headerLines())), 0};
  return event_parser_->parse(header, Level::kWarning, header_scratch_) == ParseStatus::kRecord;
}

void SourceParser::completeEvent() {
  if (event_level_ && *event_level_ < info_.min_level &&
      (!event_level_if_alone_ || event_.size() == 1)) {
    // Below the level by its header alone: what parse() would have said, without the parse.
    ++stats_.events;
    ++stats_.below_level;
    noteOutcome(event_parser_ == format_ && format_ != &parsers_.text());
    event_.clear();
    event_open_ = false;
    return;
  }
  const auto& views = event_.makeViews();
  LogEvent ev{views, event_.offsets.front().first};
  ++stats_.events;
  emit(*event_parser_, ev);
  event_.clear();
  event_open_ = false;
}

void SourceParser::emit(Parser& parser, const LogEvent& ev) {
  record_.clear();
  Parser* used = &parser;
  ParseStatus st = parser.parse(ev, info_.min_level, record_);
  // A miss: the event is not in the detected format (text lines in a structured file), or
  // its parser could not read it; for a file detected as text, every event.
  noteOutcome(&parser == format_ && format_ != &parsers_.text() &&
              !(st == ParseStatus::kNotMatched));
  if (st == ParseStatus::kNotMatched && used != &parsers_.text()) {
    ++stats_.unmatched;
    record_.clear();
    used = &parsers_.text();
    st = used->parse(ev, info_.min_level, record_);
  }
  if (st == ParseStatus::kBelowLevel) {
    ++stats_.below_level;
    return;
  }
  if (st != ParseStatus::kRecord) {
    ++stats_.unmatched;
    return;
  }
  ++stats_.records;
  ErrorRecord& r = record_;
  // A format that hands an event to another (Homeostasis' lines among plain Python ones) names
  // the one that read it.
  if (r.format.empty()) r.format.assign(used->name());
  r.source_path = info_.path;
  r.source_offset = ev.offset;
  r.raw_log = event_.text;
  if (r.service.empty()) r.service = info_.service;
  // What the application wrote in its line is what ran; the config's is the default.
  if (r.release.empty()) r.release = info_.release;
  if (r.environment.empty()) r.environment = info_.environment;
  // The line's own tags first, then the input's that it does not have.
  const size_t own_tags = r.tags.size();
  for (const std::string& tag : info_.tags) {
    if (std::find(r.tags.begin(), r.tags.begin() + own_tags, tag) == r.tags.begin() + own_tags) {
      r.tags.push_back(tag);
    }
  }
  classifyFrames(r, info_.in_app);
  r.fingerprint = computeFingerprint(r, info_.in_app);
  // A record that carries its own id (a Homeostasis record's error_details.error_id) keeps
  // it: the orchestrator tracks a healing by the id the error had at its source.
  if (r.error_id.empty())
    r.error_id = computeErrorId(info_.host, info_.key, ev.offset, event_.text);
  sink_(r);
}

void SourceParser::noteOutcome(bool matched) {
  if (!auto_detect_) return;
  ++window_events_;
  if (!matched) ++window_misses_;
  if (window_events_ < window_size_) return;
  if (window_misses_ * 2 > window_events_) redetect_ = true;
  window_events_ = 0;
  window_misses_ = 0;
}

}  // namespace homeo
