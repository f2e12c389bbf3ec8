#include "daemon/scrub/scrubber.h"

#include <spdlog/spdlog.h>

namespace homeo {
namespace {

struct RuleSpec {
  const char* name;
  const char* pattern;
  const char* rewrite;
};

// Key names are matched whole (with a prefix such as db_ or x-), so `author`, `monkey` or
// `keyboard` are left alone.
constexpr const char* kSecretKeyNames =
    R"((?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|)"
    R"(private[_-]?key|client[_-]?secret|credentials?|auth[_-]?token|session[_-]?id))";

const RuleSpec kBuiltinRules[] = {
    {"key_value",
     R"((?i)(\b[\w.-]*?)"
     "(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
     "secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?token|"
     R"(session[_-]?id)["']?\s*[:=]\s*["']?)([^\s"'&,;}\]]+))",
     R"(\1[REDACTED])"},
    {"authorization_header", R"((?i)(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)([^"'\r\n]+))",
     R"(\1[REDACTED])"},
    {"cookie_header", R"((?i)(\b(?:set-)?cookie["']?\s*[:=]\s*["']?)([^"'\r\n]+))",
     R"(\1[REDACTED])"},
    {"bearer_token", R"((?i)(\bbearer\s+)([A-Za-z0-9\-._~+/]{8,}=*))", R"(\1[REDACTED])"},
    {"url_password", R"((\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:)([^/\s@]+)(@))",
     R"(\1[REDACTED]\3)"},
    {"jwt", R"(\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,})", "[REDACTED]"},
    {"aws_access_key", R"(\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)", "[REDACTED]"},
    {"github_token", R"(\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}))",
     "[REDACTED]"},
    {"gitlab_token", R"(\bglpat-[A-Za-z0-9_-]{20,})", "[REDACTED]"},
    {"slack_token", R"(\bxox[abposr]-[A-Za-z0-9-]{10,})", "[REDACTED]"},
    {"stripe_key", R"(\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})", "[REDACTED]"},
    {"private_key_block",
     R"((?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$))",
     "[REDACTED]"},
};

}  // namespace

std::unique_ptr<Scrubber> Scrubber::createDefault() {
  std::unique_ptr<Scrubber> s(new Scrubber());
  for (const auto& spec : kBuiltinRules) {
    RE2::Options opts;
    opts.set_log_errors(false);
    s->rules_.push_back({spec.name, std::make_unique<RE2>(spec.pattern, opts), spec.rewrite});
  }
  if (!s->build()) return nullptr;
  return s;
}

bool Scrubber::build() {
  RE2::Options opts;
  opts.set_log_errors(false);
  set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  for (const auto& r : rules_) {
    if (!r.re->ok()) {
      spdlog::critical("scrub rule '{}' does not compile: {}", r.name, r.re->error());
      return false;
    }
    std::string err;
    if (set_->Add(r.re->pattern(), &err) < 0) {
      spdlog::critical("scrub rule '{}' does not compile: {}", r.name, err);
      return false;
    }
  }
  if (!set_->Compile()) return false;
  secret_key_ = std::make_unique<RE2>(std::string("(?i)^(?:[\\w.-]*?") + kSecretKeyNames +
                                          "|(?:proxy-)?authorization|(?:set-)?cookie)$",
                                      opts);
  counts_.assign(rules_.size(), 0);
  return secret_key_->ok();
}

size_t Scrubber::scrub(std::string& s) {
  if (s.empty()) return 0;
  hits_.clear();
  if (!set_->Match(s, &hits_)) return 0;
  size_t n = 0;
  for (int idx : hits_) {
    auto& rule = rules_[static_cast<size_t>(idx)];
    const int replaced = RE2::GlobalReplace(&s, *rule.re, rule.rewrite);
    if (replaced > 0) {
      counts_[static_cast<size_t>(idx)] += static_cast<uint64_t>(replaced);
      n += static_cast<size_t>(replaced);
    }
  }
  return n;
}

void Scrubber::scrubValue(JsonValue& v) {
  if (auto* str = v.asString()) {
    scrub(*str);
  } else if (auto* arr = v.asArray()) {
    for (auto& e : *arr) scrubValue(e);
  } else if (auto* obj = v.asObject()) {
    scrubJson(*obj);
  }
}

void Scrubber::scrubJson(JsonObject& obj) {
  for (auto& [key, value] : obj) {
    if (RE2::FullMatch(key, *secret_key_) && !value.isNull() && !value.isObject() &&
        !value.isArray()) {
      value = JsonValue(std::string(kMask));
      ++key_masks_;
      continue;
    }
    scrubValue(value);
  }
}

void Scrubber::scrubRecord(ErrorRecord& r) {
  scrub(r.message);
  scrub(r.exception_type);
  for (auto& line : r.traceback) scrub(line);
  for (auto& f : r.frames) {
    scrub(f.file);
    scrub(f.function);
  }
  scrub(r.raw_log);
  scrub(r.module);
  scrubJson(r.system_info);
  scrubJson(r.request_info);
  scrubJson(r.response_info);
  scrubJson(r.context);
  scrubJson(r.metadata_extra);
  scrub(r.source_path);
}

}  // namespace homeo
