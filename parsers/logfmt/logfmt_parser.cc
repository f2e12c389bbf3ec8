#include "parsers/logfmt/logfmt_parser.h"

#include <string>

#include "parsers/correlation.h"
#include "parsers/line_header.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

bool isKeyChar(char c) {
  return text::isIdentChar(c) || c == '.' || c == '-' || c == '@' || c == '/';
}

// One key=value pair; `quoted` says whether the value needs unescaping.
struct Pair {
  std::string_view key;
  std::string_view value;
  bool quoted = false;
};

// Reads the next pair from s. Returns false at the end of s or on a token that is not a
// pair (a bare word), which it skips and reports through *bare.
bool nextPair(std::string_view& s, Pair& p, bool* bare) {
  *bare = false;
  s = text::trimLeft(s);
  if (s.empty()) return false;
  size_t i = 0;
  while (i < s.size() && isKeyChar(s[i])) ++i;
  if (i == 0 || i >= s.size() || s[i] != '=') {
    // Not a pair: skip the token.
    size_t j = 0;
    while (j < s.size() && !text::isSpace(s[j])) ++j;
    s.remove_prefix(j);
    *bare = true;
    return true;
  }
  p.key = s.substr(0, i);
  s.remove_prefix(i + 1);
  if (!s.empty() && s[0] == '"') {
    size_t j = 1;
    while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
    p.value = s.substr(1, std::min(j, s.size()) - 1);
    p.quoted = true;
    s.remove_prefix(std::min(j + 1, s.size()));
  } else {
    size_t j = 0;
    while (j < s.size() && !text::isSpace(s[j])) ++j;
    p.value = s.substr(0, j);
    p.quoted = false;
    s.remove_prefix(j);
  }
  return true;
}

void unescape(std::string_view v, bool quoted, std::string& out) {
  out.clear();
  if (!quoted) {
    out.assign(v);
    return;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      const char c = v[++i];
      out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
    } else {
      out.push_back(v[i]);
    }
  }
}

enum class Role { kOther, kLevel, kMessage, kTime, kModule, kError };

Role roleOf(std::string_view k) {
  if (k == "level" || k == "lvl" || k == "severity" || k == "loglevel" || k == "log.level")
    return Role::kLevel;
  if (k == "msg" || k == "message") return Role::kMessage;
  if (k == "ts" || k == "time" || k == "timestamp" || k == "t" || k == "@timestamp")
    return Role::kTime;
  if (k == "caller" || k == "logger" || k == "module" || k == "component" || k == "source")
    return Role::kModule;
  if (k == "error" || k == "err" || k == "exception") return Role::kError;
  return Role::kOther;
}

// Counts pairs and bare words, and finds the level. Allocation-free.
struct Scan {
  int pairs = 0;
  int bare = 0;
  int known = 0;  // pairs with a role
  std::optional<Level> level;
  bool has_error = false;
};

Scan scan(std::string_view s) {
  Scan sc;
  Pair p;
  bool bare = false;
  while (nextPair(s, p, &bare)) {
    if (bare) {
      ++sc.bare;
      continue;
    }
    ++sc.pairs;
    const Role r = roleOf(p.key);
    if (r != Role::kOther) ++sc.known;
    if (r == Role::kLevel && !sc.level) sc.level = parseLevel(p.value);
    if (r == Role::kError && !p.value.empty()) sc.has_error = true;
  }
  return sc;
}

int score(std::string_view line) {
  if (line.empty() || !text::isAlpha(line[0]) || line.find('=') == std::string_view::npos) return 0;
  const Scan sc = scan(line);
  if (sc.pairs < 2 || sc.bare > sc.pairs / 2) return 0;
  if (sc.level) return 90;
  if (sc.known >= 2) return 70;
  return sc.pairs >= 3 && sc.bare == 0 ? 40 : 0;
}

class LogfmtParser final : public Parser {
 public:
  std::string_view name() const override { return "logfmt"; }

  int probe(std::string_view line) const override { return score(line); }

  bool startsEvent(std::string_view line) const override { return score(line) > 0; }

  // One entry per line; only a stack trace printed after a line (indented frames,
  // "Traceback ...") continues it, so text written between entries stays apart.
  bool continuesEvent(std::span<const std::string_view>, std::string_view line) const override {
    return !line.empty() && (text::isSpace(line[0]) || looksLikeTraceLine(line));
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    const std::string_view line = ev.lines[0];
    const Scan sc = scan(line);
    if (sc.pairs < 2) return ParseStatus::kNotMatched;
    const Level level = sc.level ? *sc.level : sc.has_error ? Level::kError : Level::kInfo;
    if (level < min_level && ev.lines.size() == 1) return ParseStatus::kBelowLevel;
    std::string_view s = line;
    Pair p;
    bool bare = false;
    std::string_view module;
    std::string error_text;
    correlation_.clear();
    while (nextPair(s, p, &bare)) {
      if (bare) continue;
      const Role r = roleOf(p.key);
      switch (r) {
        case Role::kLevel:
          break;
        case Role::kMessage:
          if (out.message.empty()) unescape(p.value, p.quoted, out.message);
          break;
        case Role::kTime:
          if (out.time == 0) {
            if (auto t = parseTimestamp(p.value)) out.time = *t;
          }
          break;
        case Role::kModule:
          if (module.empty()) module = p.value;
          break;
        case Role::kError:
          unescape(p.value, p.quoted, scratch_);
          if (error_text.empty()) error_text = scratch_;
          setField(out.context, p.key, JsonValue(scratch_));
          break;
        case Role::kOther:
          unescape(p.value, p.quoted, scratch_);
          if (!correlation_.offer(p.key, scratch_))
            setField(out.context, p.key, JsonValue(scratch_));
          break;
      }
    }
    if (out.message.empty()) out.message = error_text;
    correlation_.apply(out);
    out.module.assign(module);
    out.level = level;
    if (ev.lines.size() > 1) {
      std::string logged = out.message;
      if (analyzeTrace(ev.lines.subspan(1), out, true) && !out.exception_type.empty() &&
          logged != out.message) {
        setField(out.context, "log_message", JsonValue(std::move(logged)));
      }
    }
    if (out.level < min_level) return ParseStatus::kBelowLevel;
    return ParseStatus::kRecord;
  }

 private:
  std::string scratch_;
  correlation::Collector correlation_;  // reused
};

}  // namespace

std::unique_ptr<Parser> makeLogfmtParser() { return std::make_unique<LogfmtParser>(); }

}  // namespace homeo
