#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "parsers/parser.h"

namespace homeo {

// One instance of every format a process knows (built-in and user-defined), for one
// thread. Sources share it: parsers keep no per-source state.
class ParserSet {
 public:
  // Builds the set; user formats come first so they win detection ties. Returns null and
  // appends diagnostics if a user pattern is bad or its name clashes with a built-in.
  static std::unique_ptr<ParserSet> create(const ParserRegistry& registry,
                                           const std::vector<config::UserParserConfig>& user,
                                           std::vector<config::Diagnostic>& diags);

  Parser* find(std::string_view name) const;
  Parser& text() const { return *text_; }
  // The formats auto-detection chooses among, user formats first.
  std::span<Parser* const> candidates() const { return candidates_; }
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<Parser>> owned_;
  std::vector<Parser*> candidates_;
  Parser* text_ = nullptr;
};

struct Detection {
  Parser* parser = nullptr;    // never null: `text` when nothing fits
  double confidence = 0;       // share of the sample's header-like lines the format claims
  size_t sampled = 0;          // lines looked at
  std::string_view container;  // "cri", "docker" or "compose": the envelope the lines came in
  // The format that best claims the header-like lines `parser` leaves, when there are any: a
  // second program writing into the same file (a server's request lines among the
  // application's, Django's bare messages among gunicorn's). Null when there is none.
  Parser* second = nullptr;
};

// Scores every candidate on the sample lines (the first lines of a file) and picks the best,
// then the second among the lines the best does not claim. Lines in a container envelope
// (CRI, Docker json-file, docker compose) are judged by what they wrap.
Detection detectFormat(const ParserSet& parsers, std::span<const std::string_view> sample);

}  // namespace homeo
