#include "parsers/parser_set.h"

#include "parsers/container/container_unwrapper.h"
#include "parsers/regex/regex_parser.h"
#include "parsers/trace.h"

namespace homeo {

std::unique_ptr<ParserSet> ParserSet::create(const ParserRegistry& registry,
                                             const std::vector<config::UserParserConfig>& user,
                                             std::vector<config::Diagnostic>& diags) {
  auto set = std::make_unique<ParserSet>();
  bool ok = true;
  for (const auto& u : user) {
    if (registry.find(u.name)) {
      diags.push_back({u.where, "parser name '" + u.name + "' is a built-in format"});
      ok = false;
      continue;
    }
    std::string error;
    auto p = makeRegexParser(u.name, u.pattern, &error);
    if (!p) {
      diags.push_back({u.where, "bad pattern for parser '" + u.name + "': " + error});
      ok = false;
      continue;
    }
    set->candidates_.push_back(p.get());
    set->owned_.push_back(std::move(p));
  }
  for (const auto& f : registry.all()) {
    auto p = f.create();
    if (f.name == "text") set->text_ = p.get();
    if (f.detectable) set->candidates_.push_back(p.get());
    set->owned_.push_back(std::move(p));
  }
  if (!ok) return nullptr;
  if (!set->text_) {
    diags.push_back({{}, "the built-in 'text' format is not registered"});
    return nullptr;
  }
  return set;
}

Parser* ParserSet::find(std::string_view name) const {
  for (const auto& p : owned_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

std::vector<std::string> ParserSet::names() const {
  std::vector<std::string> out;
  for (const auto& p : owned_) out.emplace_back(p->name());
  return out;
}

namespace {

// Binary junk (NUL bytes, control characters) is no log line: it must not outvote the lines
// around it when a format is chosen.
bool looksBinary(std::string_view line) {
  size_t ctrl = 0;
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return true;
    if ((c < 0x20 && c != '\t' && c != 0x1b) || c == 0x7f) ++ctrl;
  }
  return ctrl * 50 > line.size();
}

std::string_view containerName(ContainerUnwrapper::Kind kind) {
  switch (kind) {
    case ContainerUnwrapper::Kind::kCri:
      return "cri";
    case ContainerUnwrapper::Kind::kDocker:
      return "docker";
    case ContainerUnwrapper::Kind::kCompose:
      return "compose";
    default:
      return "";
  }
}

// Lines of a PHP stack trace as Laravel and Monolog write them after an entry ("[stacktrace]",
// "#12 /app/vendor/...", "#13 {main}", the closing "\"}"): not headers of any format, so they must
// not count against the format of the entries they follow (they often outnumber them).
bool looksLikePhpFrame(std::string_view line) {
  if (line == "[stacktrace]" || line.starts_with("[previous exception] ") ||
      line.starts_with("Stack trace:") || line.starts_with("\"}"))
    return true;
  if (line.size() < 3 || line[0] != '#') return false;
  size_t i = 1;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
  return i > 1 && i < line.size() && line[i] == ' ';
}

// A second format must claim at least one line this surely (a generic "time + level word"
// line scores 50).
constexpr int64_t kMinSecondScore = 50;

}  // namespace

Detection detectFormat(const ParserSet& parsers, std::span<const std::string_view> sample) {
  if (!sample.empty()) {
    ContainerUnwrapper unwrapper;
    unwrapper.decide(sample.front());
    if (unwrapper.kind() != ContainerUnwrapper::Kind::kNone) {
      std::vector<std::string> inner;
      for (const auto line : sample) {
        unwrapper.unwrap(line, 0, [&](std::string_view l, uint64_t) { inner.emplace_back(l); });
      }
      if (unwrapper.pending()) inner.emplace_back(unwrapper.takePending());
      const std::vector<std::string_view> views(inner.begin(), inner.end());
      Detection d = detectFormat(parsers, views);
      d.sampled = sample.size();
      d.container = containerName(unwrapper.kind());
      return d;
    }
  }
  Detection best;
  best.parser = &parsers.text();
  best.sampled = sample.size();
  size_t header_like = 0;
  auto isHeaderLike = [](std::string_view line) {
    return !line.empty() && !looksLikeTraceLine(line) && !looksLikePhpFrame(line) &&
           !looksBinary(line);
  };
  for (const auto line : sample) {
    if (isHeaderLike(line)) ++header_like;
  }
  if (header_like == 0) return best;
  int64_t best_score = 0;
  size_t best_hits = 0;
  for (Parser* p : parsers.candidates()) {
    int64_t score = 0;
    size_t hits = 0;
    for (const auto line : sample) {
      if (line.empty()) continue;
      const int s = p->probe(line);
      if (s > 0) {
        score += s;
        ++hits;
      }
    }
    if (score > best_score) {
      best_score = score;
      best_hits = hits;
      best.parser = p;
    }
  }
  const double share = static_cast<double>(best_hits) / static_cast<double>(header_like);
  // A format must claim a fair share of the lines; a stray match in prose is not enough.
  if (best_score == 0 || share < 0.3) {
    best.parser = &parsers.text();
    best.confidence = 0;
    return best;
  }
  best.confidence =
      std::min(1.0, static_cast<double>(best_score) / (100.0 * static_cast<double>(header_like)));
  // The lines the best format leaves: a second format needs one it is sure enough of.
  std::vector<std::string_view> left;
  for (const auto line : sample) {
    if (isHeaderLike(line) && best.parser->probe(line) == 0) left.push_back(line);
  }
  int64_t second_score = kMinSecondScore - 1;
  for (Parser* p : parsers.candidates()) {
    if (p == best.parser) continue;
    int64_t score = 0;
    for (const auto line : left) score += p->probe(line);
    if (score > second_score) {
      second_score = score;
      best.second = p;
    }
  }
  return best;
}

}  // namespace homeo
