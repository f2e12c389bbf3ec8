// Decodes the typed Config from the OptionValue tree and validates it. Every problem becomes a
// diagnostic and decoding goes on, so that one run reports all of them.

#include "config/config.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <tuple>

#include "config/yaml_tree.h"

namespace homeo::config {

namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;

// Limits of the numeric keys: positive, and small enough that a typo cannot ask for absurd
// memory or waits.
constexpr int64_t kMaxBatchRecords = 1000000;
constexpr int64_t kMinBatchBytes = kKiB;
constexpr int64_t kMaxBatchBytes = 256 * kMiB;
constexpr int64_t kMaxBatchWaitMs = 600000;  // 10 minutes
constexpr int64_t kMaxLineTimeoutMs = 600000;
constexpr int64_t kMaxDrainTimeoutMs = 3600000;  // 1 hour
constexpr int64_t kMinLineBytes = kKiB;
constexpr int64_t kMaxLineBytes = 256 * kMiB;

using Diags = std::vector<Diagnostic>;

// The location of a key's value, or of the mapping when the key is absent.
const Location& whereOf(const OptionMap& m, std::string_view key) {
  const OptionValue* v = m.find(key);
  return v != nullptr ? v->where : m.where();
}

// The location of the i-th string read by getStringList (which also takes a lone scalar).
const Location& itemWhere(const OptionMap& m, std::string_view key, size_t i) {
  const OptionValue* v = m.find(key);
  if (v != nullptr && v->kind == OptionValue::Kind::kSequence && i < v->items.size()) {
    return v->items[i].where;
  }
  return whereOf(m, key);
}

std::optional<std::string> getNonEmptyString(const OptionMap& m, std::string_view key, Diags& d,
                                             bool required = false) {
  std::optional<std::string> s = m.getString(key, d, required);
  if (s && s->empty()) {
    std::string msg = "'";
    msg.append(key).append("' must not be empty");
    d.push_back({whereOf(m, key), std::move(msg)});
    return std::nullopt;
  }
  return s;
}

// Only the five record levels (and WARN), not every dialect parseLevel() understands: a
// config names a threshold, and "T" or "NOTICE" there is more likely a mistake.
std::optional<Level> getLevel(const OptionMap& m, std::string_view key, Diags& d) {
  std::optional<std::string> s = m.getString(key, d);
  if (!s) return std::nullopt;
  std::string upper = *s;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "DEBUG" || upper == "INFO" || upper == "WARNING" || upper == "WARN" ||
      upper == "ERROR" || upper == "CRITICAL") {
    return parseLevel(upper);
  }
  d.push_back({whereOf(m, key), "expected a level (DEBUG, INFO, WARNING, ERROR or CRITICAL) for '" +
                                    std::string(key) + "', got \"" + *s + "\""});
  return std::nullopt;
}

// The mappings of a list-of-mappings key; items that are not mappings are reported.
std::vector<OptionMap> getMapList(const OptionMap& m, std::string_view key, std::string_view what,
                                  Diags& d) {
  std::vector<OptionMap> out;
  const OptionValue* v = m.find(key);
  if (v == nullptr) return out;
  if (v->kind != OptionValue::Kind::kSequence) {
    d.push_back({v->where, "expected a list of " + std::string(what) + " mappings for '" +
                               std::string(key) + "'"});
    return out;
  }
  for (const OptionValue& item : v->items) {
    if (item.kind != OptionValue::Kind::kMap) {
      d.push_back({item.where, "expected a mapping for each " + std::string(what)});
      continue;
    }
    out.emplace_back(item);
  }
  return out;
}

// fnmatch(3) syntax without FNM_NOESCAPE. fnmatch reads an unclosed '[' literally; we reject
// it because it is far more often a typo than an intended bracket.
std::optional<std::string> globProblem(const std::string& glob) {
  if (glob.empty()) return "a glob must not be empty";
  if (glob.find('\0') != std::string::npos) return "a glob must not contain a NUL byte";
  size_t i = 0;
  while (i < glob.size()) {
    char c = glob[i];
    if (c == '\\') {
      if (i + 1 >= glob.size()) return "glob '" + glob + "' ends with a lone backslash";
      i += 2;
      continue;
    }
    if (c != '[') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    if (j < glob.size() && (glob[j] == '!' || glob[j] == '^')) ++j;
    if (j < glob.size() && glob[j] == ']') ++j;  // a leading ']' is a member
    while (j < glob.size() && glob[j] != ']') {
      if (glob.compare(j, 2, "[:") == 0) {
        size_t end = glob.find(":]", j + 2);
        if (end != std::string::npos) {
          j = end + 2;
          continue;
        }
      }
      ++j;
    }
    if (j >= glob.size()) return "unclosed '[' in glob '" + glob + "'";
    i = j + 1;
  }
  return std::nullopt;
}

std::vector<std::string> getGlobs(const OptionMap& m, std::string_view key, bool absolute,
                                  Diags& d) {
  std::optional<std::vector<std::string>> globs = m.getStringList(key, d);
  if (!globs) return {};
  for (size_t i = 0; i < globs->size(); ++i) {
    const std::string& g = (*globs)[i];
    std::optional<std::string> problem = globProblem(g);
    if (!problem && absolute && g[0] != '/') {
      problem = "path '" + g + "' must be absolute (start with '/')";
    }
    if (problem) d.push_back({itemWhere(m, key, i), *problem});
  }
  return *globs;
}

// A unit name as _SYSTEMD_UNIT holds it: one word, matched exactly; a name without a suffix is
// taken as NAME.service (as `journalctl -u` does).
std::optional<std::string> unitProblem(std::string& unit) {
  if (unit.empty()) return "a unit name must not be empty";
  for (char c : unit) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f || c == '=' || c == '/') {
      return "unit name '" + unit + "' must not contain spaces, control characters, '=' or '/'";
    }
    if (c == '*' || c == '?' || c == '[') {
      return "unit name '" + unit + "' is matched exactly: globs are not supported";
    }
  }
  if (unit.find('.') == std::string::npos) unit += ".service";
  return std::nullopt;
}

void decodeReadFrom(const OptionMap& m, InputConfig& in, Diags& d) {
  if (auto read_from = m.getString("read_from", d)) {
    if (*read_from == "beginning") {
      in.read_from = ReadFrom::kBeginning;
    } else if (*read_from == "end") {
      in.read_from = ReadFrom::kEnd;
    } else {
      d.push_back({whereOf(m, "read_from"),
                   "expected 'beginning' or 'end' for 'read_from', got \"" + *read_from + "\""});
    }
  }
}

// A release or environment name: one line of at most 200 bytes.
std::optional<std::string> getName(const OptionMap& m, std::string_view key, Diags& d) {
  std::optional<std::string> s = getNonEmptyString(m, key, d);
  if (!s) return std::nullopt;
  const bool control = std::any_of(s->begin(), s->end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (s->size() > 200 || control) {
    d.push_back(
        {whereOf(m, key), "'" + std::string(key) + "' must be one line of at most 200 bytes"});
    return std::nullopt;
  }
  return s;
}

// `in_app: {include: [...], exclude: [...]}`: prefixes of frames' file paths or qualified
// names (common/in_app.h).
std::optional<InAppRules> getInAppRules(const OptionMap& m, Diags& d) {
  std::optional<OptionMap> section = m.getMap("in_app", d);
  if (!section) return std::nullopt;
  section->rejectUnknown({"include", "exclude"}, "in_app", d);
  InAppRules rules;
  for (auto [key, list] : {std::pair{"include", &rules.include}, {"exclude", &rules.exclude}}) {
    std::optional<std::vector<std::string>> prefixes = section->getStringList(key, d);
    if (!prefixes) continue;
    for (size_t i = 0; i < prefixes->size(); ++i) {
      if ((*prefixes)[i].empty()) {
        d.push_back({itemWhere(*section, key, i), "an in_app prefix must not be empty"});
      } else {
        list->push_back((*prefixes)[i]);
      }
    }
  }
  return rules;
}

// The keys an input shares with the top level: its own value, else the top-level one.
void decodeEnrichment(const OptionMap& m, const Config& top, InputConfig& in, Diags& d) {
  in.release = getName(m, "release", d).value_or(top.release);
  in.environment = getName(m, "environment", d).value_or(top.environment);
  in.in_app = getInAppRules(m, d).value_or(top.in_app);
}

// `type: journald`: entries of the systemd journal instead of files.
InputConfig decodeJournalInput(const OptionMap& m, const Config& top, Diags& d) {
  m.rejectUnknown({"type", "units", "directory", "format", "service", "read_from", "tags",
                   "min_level", "release", "environment", "in_app"},
                  "journald input", d);
  InputConfig in;
  in.where = m.where();
  in.type = InputType::kJournald;
  if (auto units = m.getStringList("units", d)) {
    for (size_t i = 0; i < units->size(); ++i) {
      std::string unit = (*units)[i];
      if (auto problem = unitProblem(unit)) {
        d.push_back({itemWhere(m, "units", i), *problem});
      } else if (std::find(in.units.begin(), in.units.end(), unit) == in.units.end()) {
        in.units.push_back(std::move(unit));
      }
    }
  }
  if (auto dir = getNonEmptyString(m, "directory", d)) {
    if ((*dir)[0] != '/') {
      d.push_back(
          {whereOf(m, "directory"), "directory '" + *dir + "' must be absolute (start with '/')"});
    } else {
      in.directory = *dir;
    }
  }
  if (auto format = getNonEmptyString(m, "format", d)) in.format = *format;
  in.format_where = whereOf(m, "format");
  in.service = getNonEmptyString(m, "service", d).value_or(top.service);
  decodeEnrichment(m, top, in, d);
  decodeReadFrom(m, in, d);
  if (auto tags = m.getStringList("tags", d)) {
    for (size_t i = 0; i < tags->size(); ++i) {
      if ((*tags)[i].empty()) d.push_back({itemWhere(m, "tags", i), "a tag must not be empty"});
    }
    in.tags = *tags;
  }
  in.min_level = getLevel(m, "min_level", d);
  return in;
}

// `throttle:` keys over `base` (the top-level settings, for an input).
ThrottleConfig decodeThrottle(const OptionMap& m, ThrottleConfig base, Diags& d) {
  m.rejectUnknown({"enabled", "window_ms", "limit"}, "throttle", d);
  if (auto enabled = m.getBool("enabled", d)) base.enabled = *enabled;
  if (auto n = m.getInt("window_ms", d, 1000, int64_t{24} * 3600 * 1000)) {
    base.window_ms = static_cast<uint32_t>(*n);
  }
  if (auto n = m.getInt("limit", d, 1, 1000000)) base.limit = static_cast<uint32_t>(*n);
  return base;
}

InputConfig decodeFileInput(const OptionMap& m, const Config& top, Diags& d) {
  m.rejectUnknown(
      {"type", "paths", "exclude", "format", "service", "read_from", "tags", "min_level",
       "ignore_older_ms", "context", "watch", "release", "environment", "in_app", "throttle"},
      "input", d);
  InputConfig in;
  in.throttle = top.throttle;
  if (auto t = m.getMap("throttle", d)) in.throttle = decodeThrottle(*t, top.throttle, d);
  in.where = m.where();
  // Per input, context adds labels to the global providers' output.
  if (auto ctx = m.getMap("context", d)) {
    ctx->rejectUnknown({"labels"}, "input context", d);
    if (auto labels = ctx->getStringMap("labels", d)) in.context_labels = std::move(*labels);
  }
  if (!m.has("paths")) {
    d.push_back({m.where(), "missing required key 'paths' in input"});
  } else {
    in.paths = getGlobs(m, "paths", /*absolute=*/true, d);
    const OptionValue* v = m.find("paths");
    if (v->kind == OptionValue::Kind::kSequence && v->items.empty()) {
      d.push_back({v->where, "an input needs at least one path"});
    }
  }
  in.exclude = getGlobs(m, "exclude", /*absolute=*/false, d);
  if (auto format = getNonEmptyString(m, "format", d)) in.format = *format;
  in.format_where = whereOf(m, "format");
  in.service = getNonEmptyString(m, "service", d).value_or(top.service);
  decodeEnrichment(m, top, in, d);
  // Files not modified for this long when they are found are left alone (0: off).
  if (auto n = m.getInt("ignore_older_ms", d, 0, int64_t{10} * 365 * 24 * 3600 * 1000)) {
    in.ignore_older_ms = static_cast<uint64_t>(*n);
  }
  decodeReadFrom(m, in, d);
  if (auto watch = m.getString("watch", d)) {
    if (*watch == "poll") {
      in.poll = true;
    } else if (*watch != "inotify") {
      d.push_back({whereOf(m, "watch"),
                   "expected 'inotify' or 'poll' for 'watch', got \"" + *watch + "\""});
    }
  }
  if (auto tags = m.getStringList("tags", d)) {
    for (size_t i = 0; i < tags->size(); ++i) {
      if ((*tags)[i].empty()) d.push_back({itemWhere(m, "tags", i), "a tag must not be empty"});
    }
    in.tags = *tags;
  }
  in.min_level = getLevel(m, "min_level", d);
  return in;
}

InputConfig decodeInput(const OptionMap& m, const Config& top, Diags& d) {
  const std::optional<std::string> type = m.getString("type", d);
  if (type && *type == "journald") return decodeJournalInput(m, top, d);
  if (type && *type != "file") {
    d.push_back({whereOf(m, "type"), "unknown input type '" + *type + "' (known: file, journald)"});
  }
  return decodeFileInput(m, top, d);
}

// Two journal inputs that read the same journal and units would yield every record twice.
void checkJournalInputs(const std::vector<InputConfig>& inputs, Diags& d) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputConfig& a = inputs[i];
    if (a.type != InputType::kJournald) continue;
    for (size_t j = 0; j < i; ++j) {
      const InputConfig& b = inputs[j];
      if (b.type != InputType::kJournald || b.directory != a.directory) continue;
      std::vector<std::string> ua = a.units, ub = b.units;
      std::sort(ua.begin(), ua.end());
      std::sort(ub.begin(), ub.end());
      if (ua == ub) {
        d.push_back({a.where,
                     "this journald input reads the same journal and units as the one "
                     "at line " +
                         std::to_string(b.where.line)});
        break;
      }
    }
  }
}

bool isParserName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

UserParserConfig decodeParser(const OptionMap& m, Diags& d) {
  m.rejectUnknown({"name", "pattern"}, "parser", d);
  UserParserConfig p;
  p.where = m.where();
  if (auto name = m.getString("name", d, /*required=*/true)) {
    p.name = *name;
    if (!isParserName(p.name)) {
      d.push_back({whereOf(m, "name"),
                   "parser name '" + p.name + "' must be lower-case letters, digits, '_' or '-'"});
    } else if (p.name == "auto") {
      d.push_back({whereOf(m, "name"), "parser name 'auto' is reserved"});
    }
  }
  if (auto pattern = m.getString("pattern", d, /*required=*/true)) {
    p.pattern = *pattern;
    RE2::Options options;
    options.set_log_errors(false);  // the error goes into the diagnostic instead of stderr
    RE2 re(p.pattern, options);
    if (!re.ok()) {
      d.push_back({whereOf(m, "pattern"), "invalid pattern: " + re.error()});
    } else if (re.NamedCapturingGroups().count("message") == 0) {
      d.push_back(
          {whereOf(m, "pattern"), "pattern has no named group 'message' (write (?P<message>...))"});
    }
  }
  return p;
}

BatchConfig decodeBatch(const OptionMap& m, Diags& d) {
  m.rejectUnknown({"max_records", "max_bytes", "max_wait_ms"}, "batch", d);
  BatchConfig b;
  if (auto n = m.getInt("max_records", d, 1, kMaxBatchRecords)) b.max_records = *n;
  if (auto n = m.getInt("max_bytes", d, kMinBatchBytes, kMaxBatchBytes)) b.max_bytes = *n;
  if (auto n = m.getInt("max_wait_ms", d, 1, kMaxBatchWaitMs)) b.max_wait_ms = *n;
  return b;
}

TransportConfig decodeTransport(const OptionMap& m, Diags& d) {
  TransportConfig t;
  t.where = m.where();
  if (auto type = getNonEmptyString(m, "type", d, /*required=*/true)) t.type = *type;
  // Everything but `type` belongs to the transport's factory, which validates it.
  OptionValue options;
  options.kind = OptionValue::Kind::kMap;
  options.where = m.where();
  const OptionValue& all = m.value();
  for (size_t i = 0; i < all.entries.size(); ++i) {
    if (all.entries[i].first == "type") continue;
    options.entries.push_back(all.entries[i]);
    if (i < all.key_locations.size()) options.key_locations.push_back(all.key_locations[i]);
  }
  t.options = OptionMap(std::move(options));
  return t;
}

// The provider's mapping minus `type`, which its factory validates.
OptionMap optionsWithout(const OptionMap& m, std::string_view skip) {
  OptionValue options;
  options.kind = OptionValue::Kind::kMap;
  options.where = m.where();
  const OptionValue& all = m.value();
  for (size_t i = 0; i < all.entries.size(); ++i) {
    if (all.entries[i].first == skip) continue;
    options.entries.push_back(all.entries[i]);
    if (i < all.key_locations.size()) options.key_locations.push_back(all.key_locations[i]);
  }
  return OptionMap(std::move(options));
}

ContextConfig decodeContext(const OptionMap& m, Diags& d) {
  m.rejectUnknown({"providers", "timeout_ms"}, "context", d);
  ContextConfig c;
  c.configured = true;
  if (auto n = m.getInt("timeout_ms", d, 1, 60000)) c.timeout_ms = static_cast<uint32_t>(*n);
  for (const OptionMap& p : getMapList(m, "providers", "context provider", d)) {
    ContextProviderConfig pc;
    pc.where = p.where();
    if (auto type = getNonEmptyString(p, "type", d, /*required=*/true)) pc.type = *type;
    pc.options = optionsWithout(p, "type");
    c.providers.push_back(std::move(pc));
  }
  return c;
}

bool isRuleName(const std::string& name) { return isParserName(name); }

ScrubConfig decodeScrub(const OptionMap& m, Diags& d) {
  m.rejectUnknown({"enabled", "disable", "hash_key_file", "hash_key_env", "rules"}, "scrub", d);
  ScrubConfig sc;
  sc.where = m.where();
  if (auto enabled = m.getBool("enabled", d)) sc.enabled = *enabled;
  if (auto names = m.getStringList("disable", d)) {
    for (size_t i = 0; i < names->size(); ++i) {
      sc.disable.push_back((*names)[i]);
      sc.disable_where.push_back(itemWhere(m, "disable", i));
    }
  }
  if (auto f = getNonEmptyString(m, "hash_key_file", d)) sc.hash_key_file = *f;
  if (auto e = getNonEmptyString(m, "hash_key_env", d)) sc.hash_key_env = *e;
  if (!sc.hash_key_file.empty() && !sc.hash_key_env.empty()) {
    d.push_back({whereOf(m, "hash_key_env"), "give either 'hash_key_file' or 'hash_key_env'"});
  }
  bool needs_key = false;
  for (const OptionMap& r : getMapList(m, "rules", "scrub rule", d)) {
    r.rejectUnknown({"name", "pattern", "action"}, "scrub rule", d);
    ScrubRuleConfig rc;
    rc.where = r.where();
    if (auto name = r.getString("name", d, /*required=*/true)) {
      rc.name = *name;
      if (!isRuleName(rc.name)) {
        d.push_back({whereOf(r, "name"),
                     "rule name '" + rc.name + "' must be lower-case letters, digits, '_' or '-'"});
      }
      for (const auto& other : sc.rules) {
        if (other.name == rc.name) {
          d.push_back({whereOf(r, "name"), "duplicate scrub rule name '" + rc.name + "'"});
        }
      }
    }
    if (auto pattern = r.getString("pattern", d, /*required=*/true)) {
      rc.pattern = *pattern;
      RE2::Options options;
      options.set_log_errors(false);
      RE2 re(rc.pattern, options);
      if (!re.ok()) {
        d.push_back({whereOf(r, "pattern"), "invalid pattern: " + re.error()});
      } else if (re.Match("", 0, 0, RE2::UNANCHORED, nullptr, 0)) {
        d.push_back({whereOf(r, "pattern"), "pattern matches the empty string"});
      }
    }
    if (auto action = r.getString("action", d)) {
      if (*action == "mask") {
        rc.action = ScrubAction::kMask;
      } else if (*action == "remove") {
        rc.action = ScrubAction::kRemove;
      } else if (*action == "hash") {
        rc.action = ScrubAction::kHash;
        needs_key = true;
      } else {
        d.push_back({whereOf(r, "action"),
                     "expected 'mask', 'remove' or 'hash' for 'action', got \"" + *action + "\""});
      }
    }
    sc.rules.push_back(std::move(rc));
  }
  if (needs_key && sc.hash_key_file.empty() && sc.hash_key_env.empty()) {
    d.push_back(
        {whereOf(m, "rules"), "action 'hash' needs a key: set 'hash_key_file' or 'hash_key_env'"});
  }
  if (!sc.hash_key_env.empty() && std::getenv(sc.hash_key_env.c_str()) == nullptr) {
    d.push_back({whereOf(m, "hash_key_env"),
                 "environment variable '" + sc.hash_key_env + "' (the hash key) is not set"});
  }
  return sc;
}

// HOST:PORT with a numeric port (0 picks a free one, for tests); an IPv6 host in brackets.
bool isListenAddress(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = s.substr(0, colon);
  std::string_view port = s.substr(colon + 1);
  if (host.empty() || port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  if (std::stoi(std::string(port)) > 65535) return false;
  if (host.front() == '[') return host.size() > 2 && host.back() == ']';
  return host.find(':') == std::string_view::npos;
}

MetricsConfig decodeMetrics(const OptionMap& m, Diags& d) {
  m.rejectUnknown({"enabled", "listen"}, "metrics", d);
  MetricsConfig metrics;
  if (auto enabled = m.getBool("enabled", d)) metrics.enabled = *enabled;
  if (auto listen = m.getString("listen", d)) {
    if (isListenAddress(*listen)) {
      metrics.listen = *listen;
    } else {
      d.push_back(
          {whereOf(m, "listen"),
           "expected HOST:PORT (e.g. 127.0.0.1:9880) for 'listen', got \"" + *listen + "\""});
    }
  }
  return metrics;
}

// An unknown TZ makes glibc fall back to UTC silently, so check the zone file exists now.
void checkTimezone(const std::string& tz, const Location& where, Diags& d) {
  if (tz.empty() || tz == "UTC") return;
  bool valid_name = tz[0] != '/' && tz.find("..") == std::string::npos &&
                    std::all_of(tz.begin(), tz.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                             c == '+' || c == '/';
                    });
  if (!valid_name) {
    d.push_back(
        {where, "invalid time zone name '" + tz + "' (expected e.g. Europe/Berlin or UTC)"});
    return;
  }
  const char* tzdir = std::getenv("TZDIR");
  std::filesystem::path file =
      std::filesystem::path(tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo") /
      tz;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    d.push_back({where, "unknown time zone '" + tz + "' (no " + file.string() + ")"});
  }
}

void decodeTopLevel(const OptionMap& top, Config& cfg, Diags& d) {
  top.rejectUnknown({"service",
                     "state_dir",
                     "min_level",
                     "timezone",
                     "inputs",
                     "parsers",
                     "batch",
                     "transports",
                     "metrics",
                     "multiline_timeout_ms",
                     "partial_line_timeout_ms",
                     "drain_timeout_ms",
                     "max_line_bytes",
                     "close_inactive_ms",
                     "rotate_wait_ms",
                     "context",
                     "scrub",
                     "release",
                     "environment",
                     "in_app",
                     "throttle"},
                    "configuration", d);

  if (auto s = getNonEmptyString(top, "service", d)) cfg.service = *s;
  if (auto s = getName(top, "release", d)) cfg.release = *s;
  if (auto s = getName(top, "environment", d)) cfg.environment = *s;
  if (auto rules = getInAppRules(top, d)) cfg.in_app = std::move(*rules);
  if (auto s = getNonEmptyString(top, "state_dir", d)) cfg.state_dir = *s;
  if (auto level = getLevel(top, "min_level", d)) cfg.min_level = *level;
  if (auto tz = top.getString("timezone", d)) {
    cfg.timezone = *tz;
    checkTimezone(cfg.timezone, whereOf(top, "timezone"), d);
  }

  // Before the inputs, whose own `throttle:` keys go over it.
  if (auto t = top.getMap("throttle", d)) cfg.throttle = decodeThrottle(*t, cfg.throttle, d);
  // Absent `inputs` is allowed: `parse --config` uses a config only for its other settings.
  for (const OptionMap& m : getMapList(top, "inputs", "input", d)) {
    cfg.inputs.push_back(decodeInput(m, cfg, d));
  }
  checkJournalInputs(cfg.inputs, d);

  for (const OptionMap& m : getMapList(top, "parsers", "parser", d)) {
    UserParserConfig p = decodeParser(m, d);
    auto first = std::find_if(cfg.parsers.begin(), cfg.parsers.end(),
                              [&](const UserParserConfig& q) { return q.name == p.name; });
    if (!p.name.empty() && first != cfg.parsers.end()) {
      d.push_back({whereOf(m, "name"), "duplicate parser name '" + p.name + "' (first at line " +
                                           std::to_string(first->where.line) + ")"});
      continue;
    }
    cfg.parsers.push_back(std::move(p));
  }

  if (auto batch = top.getMap("batch", d)) cfg.batch = decodeBatch(*batch, d);

  // Absent `transports` means print to stdout; an explicit empty list is a mistake.
  if (!top.has("transports")) {
    cfg.transports.push_back(TransportConfig{top.where(), "stdout", {}});
  } else {
    const OptionValue* v = top.find("transports");
    if (v->kind == OptionValue::Kind::kSequence && v->items.empty()) {
      d.push_back({v->where, "at least one transport is required"});
    }
    for (const OptionMap& m : getMapList(top, "transports", "transport", d)) {
      cfg.transports.push_back(decodeTransport(m, d));
    }
  }

  if (auto metrics = top.getMap("metrics", d)) cfg.metrics = decodeMetrics(*metrics, d);
  if (auto context = top.getMap("context", d)) cfg.context = decodeContext(*context, d);
  if (auto scrub = top.getMap("scrub", d)) cfg.scrub = decodeScrub(*scrub, d);

  if (auto n = top.getInt("multiline_timeout_ms", d, 1, kMaxLineTimeoutMs)) {
    cfg.multiline_timeout_ms = *n;
  }
  if (auto n = top.getInt("partial_line_timeout_ms", d, 1, kMaxLineTimeoutMs)) {
    cfg.partial_line_timeout_ms = *n;
  }
  if (auto n = top.getInt("drain_timeout_ms", d, 1, kMaxDrainTimeoutMs)) {
    cfg.drain_timeout_ms = *n;
  }
  if (auto n = top.getInt("max_line_bytes", d, kMinLineBytes, kMaxLineBytes)) {
    cfg.max_line_bytes = *n;
  }
  if (auto n = top.getInt("close_inactive_ms", d, 100, kMaxDrainTimeoutMs)) {
    cfg.close_inactive_ms = static_cast<uint32_t>(*n);
  }
  if (auto n = top.getInt("rotate_wait_ms", d, 0, kMaxDrainTimeoutMs)) {
    cfg.rotate_wait_ms = static_cast<uint32_t>(*n);
  }
}

}  // namespace

LoadResult parseConfig(std::string_view text, const std::string& name) {
  LoadResult result;
  Diags& d = result.errors;
  std::optional<OptionValue> root = parseYamlTree(text, name, d);
  if (root) {
    if (root->kind == OptionValue::Kind::kNull) {
      d.push_back({{name, 1, 1}, "the configuration is empty"});
    } else if (root->kind != OptionValue::Kind::kMap) {
      d.push_back({root->where, "the configuration must be a mapping of keys to values"});
    } else {
      Config cfg;
      cfg.path = name;
      decodeTopLevel(OptionMap(std::move(*root)), cfg, d);
      if (d.empty()) {
        result.config = std::move(cfg);
      } else {
        result.decoded = std::move(cfg);
      }
    }
  }
  // Decoding goes section by section; report in the order of the file.
  sortDiagnostics(d);
  return result;
}

LoadResult loadConfig(const std::string& path) {
  std::string text;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  int err = errno;
  if (f != nullptr) {
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    err = std::ferror(f) ? (errno != 0 ? errno : EIO)
                         : 0;  // a directory opens but fails to read (EISDIR)
    std::fclose(f);
  }
  if (f == nullptr || err != 0) {
    LoadResult result;
    result.errors.push_back(
        {{path, 1, 1}, "cannot read the configuration: " + std::generic_category().message(err)});
    return result;
  }
  return parseConfig(text, path);
}

}  // namespace homeo::config
