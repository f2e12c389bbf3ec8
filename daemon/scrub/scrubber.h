#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/hash.h"
#include "common/record.h"

namespace homeo {

// Removes secrets from every string of a record before any transport sees it. One RE2::Set
// pass tells whether any rule can match a string at all, so text with nothing to scrub costs a
// single scan; only the matching rules then rewrite it. What repeats from record to record is
// judged once: short strings found clean (host names, file and function names) and the keys of
// the record's objects. Counts what was scrubbed per rule, never what it was. Not
// thread-safe: one scrubber per event loop.
class Scrubber {
 public:
  enum class Action { kMask, kRemove, kHash };

  // A rule as configured. Groups whose name starts with `secret` are what is replaced (so a
  // rule can keep the key in `password=…`); without such a group the whole match is.
  struct RuleSpec {
    std::string name;
    std::string pattern;
    Action action = Action::kMask;
  };

  struct RuleCount {
    std::string_view name;
    uint64_t count;
  };

  // The built-in rules, all on: secrets in key=value and JSON pairs, Authorization and Cookie
  // headers, bearer tokens, URL user-info passwords, JWTs, AWS, GitHub, GitLab, Slack and
  // Stripe keys, private key blocks, card numbers (isCardNumber).
  static std::unique_ptr<Scrubber> createDefault();

  // The built-in rules minus `disable`, then `custom` in order. `hash_key` is the HMAC key
  // of rules with Action::kHash. Returns nullptr with *error set when a name is unknown or
  // duplicated, a pattern does not compile, or a hash rule has no key.
  static std::unique_ptr<Scrubber> create(const std::vector<std::string>& disable,
                                          const std::vector<RuleSpec>& custom, std::string hash_key,
                                          std::string* error);

  // Names of the built-in rules, in the order they run.
  static std::vector<std::string_view> builtinRuleNames();

  // Scrubs one string in place; returns how many values were replaced.
  size_t scrub(std::string& s);
  // Scrubs every string of the record: message, traceback, raw log, frames, context,
  // request/response data, system info, metadata. Values under secret-looking keys of the
  // record's objects (context.password, …) are masked whole.
  void scrubRecord(ErrorRecord& r);

  // What each rule replaced so far (JSON values masked by key count under `key_value`).
  std::vector<RuleCount> counters() const;
  // One rule's count; 0 for a rule that does not exist.
  uint64_t count(std::string_view rule) const;

  static constexpr std::string_view kMask = "[REDACTED]";

 private:
  struct Rule {
    std::string name;
    std::unique_ptr<RE2> re;
    Action action = Action::kMask;
    bool card = false;               // a match counts only when isCardNumber says so
    std::vector<int> secret_groups;  // empty: the whole match
  };

  // Strings up to this length that no rule matches are remembered, up to kCleanCacheEntries
  // of them (then the cache starts over): what repeats is back in it after a few records.
  static constexpr size_t kCleanCacheMaxLength = 128;
  static constexpr size_t kCleanCacheEntries = 2048;
  static constexpr size_t kKeyCacheEntries = 4096;

  Scrubber() = default;
  bool addRule(std::string name, const std::string& pattern, Action action, bool card,
               std::string* error);
  bool build(std::string* error);
  // scrub(), telling in *untouched whether no rule matched anywhere in s (s is then as it was).
  size_t scrubString(std::string& s, bool* untouched);
  size_t applyRule(size_t index, std::string& s);
  void appendReplacement(const Rule& rule, std::string_view secret, std::string& out);
  bool isSecretKey(const std::string& key);
  // Whether s is a line of the record's raw log (found clean), looking from the last one found.
  bool isRawLine(std::string_view s);
  void scrubJson(JsonObject& obj);
  void scrubValue(JsonValue& v);

  std::vector<Rule> rules_;
  std::unique_ptr<RE2::Set> set_;
  std::unique_ptr<RE2> secret_key_;  // field names whose values are secret as a whole
  std::vector<uint64_t> counts_;
  std::string hash_key_;
  int key_value_index_ = -1;  // where JSON key masks are counted; -1: key rules are off
  // Whether every rule is a built-in one: each of them that matches in a line of a text matches
  // in the text too (their only assertions, \b and multi-line ^ and $, see a '\n' as they see
  // the text's ends), so the lines of a text no rule matches need no scan of their own.
  bool builtin_only_ = true;
  std::unordered_set<std::string, StringHash, std::equal_to<>> clean_;
  std::unordered_map<std::string, bool, StringHash, std::equal_to<>> secret_keys_;
  static constexpr size_t kRawLookahead = 8;
  std::vector<std::string_view> raw_lines_;  // the lines of the record's raw log, when clean
  size_t raw_cursor_ = 0;
  std::vector<int> hits_;
  std::vector<re2::StringPiece> groups_;
  std::string out_;
};

// True when the digits of `text` (spaces, dashes and %20 ignored) are 13 to 19 digits passing the
// Luhn check, as card numbers do.
bool luhnValid(std::string_view text);

// True when text[begin, end), digits as the card_number rule finds them, is a card number: it
// passes Luhn and stands alone as a word, not inside a longer token (an identifier such as
// "KeyError-20230101120000-140072514904288", a UUID, an order id, a decimal number).
bool isCardNumber(std::string_view text, size_t begin, size_t end);

}  // namespace homeo
