#include "daemon/scrub/scrubber.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace homeo {
namespace {

struct BuiltinRule {
  std::string name;
  std::string pattern;
  bool card;  // matches count only when they are card numbers (see isCardNumber)
};

// Secret key names. They must end right before the separator (`password=`, `"token": `), so
// `author`, `monkey`, `keyboard`, `tokenizer` or `passwordless` never match; a prefix is
// allowed (db_password, x-auth-token, PGPASSWORD).
constexpr char kSecretKeyNames[] =
    "(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    "secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth|sessionid|"
    "session[_-]id)";

// Values after a secret key: double-quoted, escaped-double-quoted (JSON inside a string),
// single-quoted, a flat {…} object or […] list, or a bare word up to a delimiter (not starting with
// '[', so a value masked already is left alone).
constexpr char kSecretValue[] =
    R"re((?:"(?P<secret>(?:[^"\\\n]|\\[^"\n])*)"|\\"(?P<secret2>[^"\\\n]*)\\"|)re"
    R"re('(?P<secret3>[^'\n]*)'|(?P<secret4>\{[^{}\n]*\})|)re"
    R"re((?P<secret5>\[[^\[\]\n]*\])|(?P<secret6>[^\s"'&,;}\]\)\\\[][^\s"'&,;}\]\)\\]*)))re";

// In the order they run: whole-token rules first, so a JWT inside `token=…` is counted once.
const std::vector<BuiltinRule>& builtinRules() {
  static const std::vector<BuiltinRule> rules = {
      {"private_key_block",
       // A PEM block on one line (or with escaped \n), or an unterminated BEGIN line; PEM body
       // lines of a block split over log lines are caught by their shape (64 base64 chars).
       R"((?s)-----BEGIN[A-Z0-9 +%]*PRIVATE[ +%0-9]*KEY-----.*?)"
       R"((?:-----END[A-Z0-9 +%]*PRIVATE[ +%0-9]*KEY-----|$))"
       R"(|(?m)^\s*[A-Za-z0-9+/]{60,76}={0,2}\s*$)",
       false},
      {"jwt", R"(\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,})", false},
      {"aws_access_key", R"(\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b)", false},
      {"aws_secret_key",
       R"((?i)aws[\w.-]{0,20}?(?:secret|key)[\w.-]{0,20}?\\?["']?\s*[:=]\s*\\?["']?)"
       R"((?P<secret>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$))",
       false},
      {"github_token", R"(\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}))", false},
      {"gitlab_token", R"(\bglpat-[A-Za-z0-9_-]{20,})", false},
      {"slack_token", R"(\bxox[abposr]-[A-Za-z0-9-]{10,})", false},
      {"slack_webhook", R"((?i)hooks\.slack\.com/services/(?P<secret>[A-Za-z0-9/_-]+))", false},
      {"stripe_key", R"(\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})", false},
      {"authorization_header",
       R"((?i)\b(?:proxy-)?authorization\\?["']?\s*[:=]\s*\\?["']?(?P<secret>[^"'\\\r\n]+))",
       false},
      {"cookie_header",
       R"((?i)\b(?:set-)?cookie\\?["']?\s*[:=]\s*\\?["']?(?P<secret>[^"'\\\r\n]+))", false},
      {"bearer_token", R"((?i)\bbearer\s+(?P<secret>[A-Za-z0-9\-._~+/]{8,}=*))", false},
      {"url_password", R"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:(?P<secret>[^/\s@]+)@)", false},
      {"key_value",
       std::string(R"((?i)\b[\w.-]*?)") + kSecretKeyNames + R"(\\?["']?\s*[:=]\s*)" + kSecretValue,
       false},
      // Card numbers as they are written: 13-19 digits in one run, or in the groups printed
      // on cards (4-4-4-4, 4-4-4-4-3, Amex's 4-6-5, Diners' 4-6-4) separated by spaces or
      // dashes. Issuer prefixes 3-6 and Mastercard's 22-27 (Amex, Diners, JCB, Visa,
      // Mastercard, Discover, UnionPay): an epoch time (1...) or a date-time of this
      // century (20...) is never a card. Luhn then tells cards from order numbers, and
      // standsAlone() from digits inside a longer token.
      {"card_number",
       R"((?:\b|%[0-9A-Fa-f]{2})(?P<secret>(?:[3-6]\d{12,18}|2[2-7]\d{11,17})|)"
       R"((?:[3-6]\d{3}|2[2-7]\d{2})(?:(?:(?:[ -]|%20)\d{4}){3}(?:(?:[ -]|%20)\d{3})?|)"
       R"((?:[ -]|%20)\d{6}(?:[ -]|%20)\d{4,5}))\b)",
       true},
  };
  return rules;
}

std::string hexPrefix(const unsigned char* md, size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (size_t i = 0; i < bytes; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

bool isAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isHex(char c) { return isAlnum(c) && (c <= '9' || (c | 0x20) <= 'f'); }

// Whether s[begin, end) stands alone as a word, as card numbers are written, rather than being
// a piece of a longer token: an id (KeyError-20230101120000-140072514904288, ORD-...-...), a
// UUID's group, a version, a decimal number or a file name. A URL-encoded byte before it
// (%3D, %20) is a separator.
bool standsAlone(std::string_view s, size_t begin, size_t end) {
  if (begin > 0) {
    const char before = s[begin - 1];
    const bool encoded = begin >= 3 && s[begin - 3] == '%' && isHex(s[begin - 2]) && isHex(before);
    if (!encoded && (isAlnum(before) || before == '_' || before == '-' || before == '.'))
      return false;
  }
  if (end < s.size()) {
    const char after = s[end];
    if (isAlnum(after) || after == '_' || after == '-') return false;
    // A full stop ends a sentence; "4111....5" or "4111....log" is something else.
    if (after == '.' && end + 1 < s.size() && s[end + 1] != ' ' && s[end + 1] != '\n') return false;
  }
  return true;
}

}  // namespace

bool isCardNumber(std::string_view text, size_t begin, size_t end) {
  return standsAlone(text, begin, end) && luhnValid(text.substr(begin, end - begin));
}

bool luhnValid(std::string_view text) {
  char digits[32];
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '-') continue;
    if (c == '%' && text.substr(i, 3) == "%20") {  // a URL-encoded space
      i += 2;
      continue;
    }
    if (c < '0' || c > '9' || n == sizeof digits) return false;
    digits[n++] = c;
  }
  if (n < 13 || n > 19) return false;
  int sum = 0;
  for (size_t k = 0; k < n; ++k) {
    int d = digits[n - 1 - k] - '0';
    if (k % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

std::vector<std::string_view> Scrubber::builtinRuleNames() {
  std::vector<std::string_view> names;
  for (const auto& r : builtinRules()) names.emplace_back(r.name);
  return names;
}

std::unique_ptr<Scrubber> Scrubber::createDefault() {
  std::string error;
  return create({}, {}, {}, &error);
}

std::unique_ptr<Scrubber> Scrubber::create(const std::vector<std::string>& disable,
                                           const std::vector<RuleSpec>& custom,
                                           std::string hash_key, std::string* error) {
  const auto builtin = builtinRuleNames();
  for (const auto& d : disable) {
    if (std::find(builtin.begin(), builtin.end(), d) == builtin.end()) {
      std::string known;
      for (auto n : builtin) known += (known.empty() ? "" : ", ") + std::string(n);
      *error = "unknown built-in scrub rule '" + d + "' (known: " + known + ")";
      return nullptr;
    }
  }
  std::unique_ptr<Scrubber> s(new Scrubber());
  s->hash_key_ = std::move(hash_key);
  for (const auto& spec : builtinRules()) {
    if (std::find(disable.begin(), disable.end(), spec.name) != disable.end()) continue;
    if (!s->addRule(spec.name, spec.pattern, Action::kMask, spec.card, error)) return nullptr;
  }
  for (const auto& spec : custom) {
    if (std::find(builtin.begin(), builtin.end(), spec.name) != builtin.end()) {
      *error = "scrub rule '" + spec.name + "' has the name of a built-in rule";
      return nullptr;
    }
    if (spec.action == Action::kHash && s->hash_key_.empty()) {
      *error = "scrub rule '" + spec.name + "' hashes but no hash key is set";
      return nullptr;
    }
    if (!s->addRule(spec.name, spec.pattern, spec.action, false, error)) return nullptr;
    s->builtin_only_ = false;
  }
  if (!s->build(error)) return nullptr;
  return s;
}

bool Scrubber::addRule(std::string name, const std::string& pattern, Action action, bool card,
                       std::string* error) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    *error = "scrub rule '" + name + "' does not compile: " + re->error();
    return false;
  }
  Rule rule;
  rule.name = std::move(name);
  rule.action = action;
  rule.card = card;
  for (const auto& [group, index] : re->NamedCapturingGroups()) {
    if (group.rfind("secret", 0) == 0) rule.secret_groups.push_back(index);
  }
  std::sort(rule.secret_groups.begin(), rule.secret_groups.end());
  rule.re = std::move(re);
  rules_.push_back(std::move(rule));
  return true;
}

bool Scrubber::build(std::string* error) {
  RE2::Options opts;
  opts.set_log_errors(false);
  // The set of every rule is one DFA; the default budget is too small for it.
  opts.set_max_mem(int64_t{64} << 20);
  set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  int max_groups = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    std::string err;
    if (set_->Add(rules_[i].re->pattern(), &err) < 0) {
      *error = "scrub rule '" + rules_[i].name + "' does not compile: " + err;
      return false;
    }
    max_groups = std::max(max_groups, rules_[i].re->NumberOfCapturingGroups());
    if (rules_[i].name == "key_value") key_value_index_ = static_cast<int>(i);
  }
  if (!rules_.empty() && !set_->Compile()) {
    *error = "the scrub rules are too large to compile together";
    return false;
  }
  groups_.resize(static_cast<size_t>(max_groups) + 1);
  secret_key_ = std::make_unique<RE2>(std::string(R"((?i)^[\w.-]*?)") + kSecretKeyNames +
                                          "$|^(?:proxy-)?authorization$|^(?:set-)?cookie$",
                                      opts);
  counts_.assign(rules_.size(), 0);
  if (!secret_key_->ok()) {
    *error = "secret key pattern: " + secret_key_->error();
    return false;
  }
  return true;
}

void Scrubber::appendReplacement(const Rule& rule, std::string_view secret, std::string& out) {
  switch (rule.action) {
    case Action::kMask:
      out.append(kMask);
      break;
    case Action::kRemove:
      break;
    case Action::kHash: {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      HMAC(EVP_sha256(), hash_key_.data(), static_cast<int>(hash_key_.size()),
           reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), md, &len);
      out.append("[HASH:");
      out.append(hexPrefix(md, std::min<size_t>(len, 6)));
      out.push_back(']');
      break;
    }
  }
}

size_t Scrubber::applyRule(size_t index, std::string& s) {
  const Rule& rule = rules_[index];
  const int ngroups = 1 + rule.re->NumberOfCapturingGroups();
  const re2::StringPiece text(s);
  out_.clear();
  size_t copied = 0;  // s[0, copied) is in out_
  size_t pos = 0;
  size_t n = 0;
  while (pos <= s.size() &&
         rule.re->Match(text, pos, s.size(), RE2::UNANCHORED, groups_.data(), ngroups)) {
    const re2::StringPiece whole = groups_[0];
    const size_t begin = static_cast<size_t>(whole.data() - s.data());
    const size_t end = begin + whole.size();
    pos = end > begin ? end : end + 1;
    if (rule.card) {
      const re2::StringPiece& digits =
          rule.secret_groups.empty() ? whole : groups_[static_cast<size_t>(rule.secret_groups[0])];
      const size_t db = static_cast<size_t>(digits.data() - s.data());
      if (!isCardNumber(s, db, db + digits.size())) continue;
    }
    auto replace = [&](re2::StringPiece g) {
      const size_t gb = static_cast<size_t>(g.data() - s.data());
      out_.append(s, copied, gb - copied);
      appendReplacement(rule, std::string_view(g.data(), g.size()), out_);
      copied = gb + g.size();
      ++n;
    };
    if (rule.secret_groups.empty()) {
      replace(whole);
    } else {
      for (int g : rule.secret_groups) {
        const re2::StringPiece& piece = groups_[static_cast<size_t>(g)];
        // A group that did not take part, or an empty value, has nothing to hide.
        if (piece.data() == nullptr || piece.empty()) continue;
        replace(piece);
      }
    }
  }
  if (n == 0) return 0;
  out_.append(s, copied, std::string::npos);
  s.swap(out_);
  counts_[index] += n;
  return n;
}

size_t Scrubber::scrub(std::string& s) {
  bool untouched = false;
  return scrubString(s, &untouched);
}

size_t Scrubber::scrubString(std::string& s, bool* untouched) {
  *untouched = true;
  if (s.empty() || rules_.empty()) return 0;
  const bool cacheable = s.size() <= kCleanCacheMaxLength;
  if (cacheable && clean_.contains(std::string_view(s))) return 0;
  // Without a list to fill, the set stops at the first match and allocates nothing: most text
  // has nothing to scrub.
  if (!set_->Match(s, nullptr)) {
    if (cacheable) {
      if (clean_.size() >= kCleanCacheEntries) clean_.clear();
      clean_.insert(s);
    }
    return 0;
  }
  *untouched = false;
  hits_.clear();
  if (!set_->Match(s, &hits_)) return 0;
  std::sort(hits_.begin(), hits_.end());
  size_t n = 0;
  for (int idx : hits_) n += applyRule(static_cast<size_t>(idx), s);
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

bool Scrubber::isSecretKey(const std::string& key) {
  if (auto it = secret_keys_.find(std::string_view(key)); it != secret_keys_.end()) {
    return it->second;
  }
  const bool secret = RE2::FullMatch(key, *secret_key_);
  if (secret_keys_.size() >= kKeyCacheEntries) secret_keys_.clear();
  secret_keys_.emplace(key, secret);
  return secret;
}

void Scrubber::scrubJson(JsonObject& obj) {
  for (auto& [key, value] : obj) {
    // A secret key hides its whole value, objects and lists included (credentials: {…}).
    if (key_value_index_ >= 0 && !value.isNull() && isSecretKey(key)) {
      if (const auto* str = value.asString(); str && (str->empty() || *str == kMask)) continue;
      value = JsonValue(std::string(kMask));
      ++counts_[static_cast<size_t>(key_value_index_)];
      continue;
    }
    scrubValue(value);
  }
}

bool Scrubber::isRawLine(std::string_view s) {
  // The strings asked about come in the order of the raw log's lines, mostly: look a few lines
  // ahead of the last one found.
  for (size_t i = raw_cursor_, n = 0; i < raw_lines_.size() && n < kRawLookahead; ++i, ++n) {
    if (raw_lines_[i] == s) {
      raw_cursor_ = i + 1;
      return true;
    }
  }
  return false;
}

void Scrubber::scrubRecord(ErrorRecord& r) {
  // The raw log first: when no rule matches anywhere in it, the strings that are whole lines of
  // it (a text format's traceback, its exception line) hold nothing to scrub either.
  bool raw_untouched = false;
  scrubString(r.raw_log, &raw_untouched);
  raw_lines_.clear();
  raw_cursor_ = 0;
  if (raw_untouched && builtin_only_ && !r.raw_log.empty()) {
    std::string_view rest = r.raw_log;
    while (true) {
      const size_t nl = rest.find('\n');
      raw_lines_.push_back(rest.substr(0, nl));
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  for (auto& line : r.traceback) {
    if (!isRawLine(line)) scrub(line);
  }
  raw_cursor_ = 0;
  if (!isRawLine(r.message) && !(raw_lines_.size() > 0 && raw_lines_.back() == r.message)) {
    scrub(r.message);
  }
  raw_lines_.clear();
  scrub(r.exception_type);
  for (auto& f : r.frames) {
    scrub(f.file);
    scrub(f.function);
    scrub(f.class_name);
    scrubJson(f.extra);  // a source's locals and globals
  }
  scrub(r.module);
  // Release and environment are free text; trace and span ids are hex or decimal ids, which
  // a digit rule (card_number) would misread.
  scrub(r.release);
  scrub(r.environment);
  scrubJson(r.system_info);
  scrubJson(r.request_info);
  scrubJson(r.response_info);
  scrubJson(r.context);
  scrubJson(r.metadata_extra);
  scrubJson(r.source);
  scrubJson(r.extra);
  scrubJson(r.details_extra);
  scrub(r.source_path);
  for (auto& t : r.tags) scrub(t);
}

std::vector<Scrubber::RuleCount> Scrubber::counters() const {
  std::vector<RuleCount> out;
  out.reserve(rules_.size());
  for (size_t i = 0; i < rules_.size(); ++i) out.push_back({rules_[i].name, counts_[i]});
  return out;
}

uint64_t Scrubber::count(std::string_view rule) const {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].name == rule) return counts_[i];
  }
  return 0;
}

}  // namespace homeo
