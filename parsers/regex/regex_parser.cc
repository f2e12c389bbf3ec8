#include "parsers/regex/regex_parser.h"

#include <re2/re2.h>

#include <vector>

#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

class RegexParser final : public Parser {
 public:
  RegexParser(std::string name, std::unique_ptr<RE2> re)
      : name_(std::move(name)), re_(std::move(re)) {
    const int n = re_->NumberOfCapturingGroups();
    groups_.resize(static_cast<size_t>(n) + 1);
    names_.resize(static_cast<size_t>(n) + 1);
    for (const auto& [group_name, index] : re_->NamedCapturingGroups()) {
      names_[static_cast<size_t>(index)] = group_name;
      if (group_name == "level") level_ = index;
    }
  }

  std::string_view name() const override { return name_; }

  int probe(std::string_view line) const override { return startsEvent(line) ? 90 : 0; }

  bool startsEvent(std::string_view line) const override {
    return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *re_);
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    const std::string_view line = ev.lines[0];
    if (!re_->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED,
                    groups_.data(), static_cast<int>(groups_.size()))) {
      return ParseStatus::kNotMatched;
    }
    Level level = ev.lines.size() > 1 ? Level::kError : Level::kInfo;
    if (level_ > 0) {
      const auto g = groups_[static_cast<size_t>(level_)];
      if (auto l = parseLevel(std::string_view(g.data(), g.size()))) level = *l;
    }
    if (level < min_level) return ParseStatus::kBelowLevel;
    out.level = level;
    for (size_t i = 1; i < groups_.size(); ++i) {
      const std::string& key = names_[i];
      if (key.empty() || groups_[i].data() == nullptr) continue;
      const std::string_view value(groups_[i].data(), groups_[i].size());
      if (key == "level") continue;
      if (key == "timestamp" || key == "time") {
        if (auto t = parseTimestamp(value)) out.time = *t;
      } else if (key == "message" || key == "msg") {
        out.message.assign(text::trimRight(value));
      } else if (key == "module" || key == "logger") {
        out.module.assign(value);
      } else if (key == "exception_type") {
        out.exception_type.assign(value);
      } else {
        setField(out.context, key, JsonValue(value));
      }
    }
    if (out.exception_type.empty()) {
      // "KeyError: 'user_id'" in the message: the type leads.
      const std::string_view msg = out.message;
      const size_t colon = msg.find(": ");
      if (colon != std::string_view::npos && text::looksLikeExceptionType(msg.substr(0, colon))) {
        out.exception_type.assign(msg.substr(0, colon));
        out.message.erase(0, colon + 2);
      }
    }
    if (ev.lines.size() > 1) analyzeTrace(ev.lines.subspan(1), out, true);
    return ParseStatus::kRecord;
  }

 private:
  std::string name_;
  std::unique_ptr<RE2> re_;
  std::vector<re2::StringPiece> groups_;
  std::vector<std::string> names_;
  int level_ = 0;
};

}  // namespace

std::unique_ptr<Parser> makeRegexParser(const std::string& name, const std::string& pattern,
                                        std::string* error) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    if (error) *error = re->error();
    return nullptr;
  }
  return std::make_unique<RegexParser>(name, std::move(re));
}

}  // namespace homeo
