// Diagnostic formatting and the typed OptionMap accessors shared by config and extensions.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>

#include "config/config.h"

namespace homeo::config {

std::string Diagnostic::str() const {
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": " +
         message;
}

void sortDiagnostics(std::vector<Diagnostic>& diags) {
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
}

namespace {

// Describes what was written instead, so "expected X" messages say what they got.
std::string describe(const OptionValue& v) {
  switch (v.kind) {
    case OptionValue::Kind::kNull:
      return "nothing";
    case OptionValue::Kind::kSequence:
      return "a list";
    case OptionValue::Kind::kMap:
      return "a mapping";
    case OptionValue::Kind::kScalar:
      break;
  }
  constexpr size_t kMaxShown = 40;
  if (v.scalar.size() > kMaxShown) return "\"" + v.scalar.substr(0, kMaxShown) + "...\"";
  return "\"" + v.scalar + "\"";
}

void wrongType(const OptionValue& v, std::string_view key, std::string_view expected,
               std::vector<Diagnostic>& diags) {
  diags.push_back({v.where, "expected " + std::string(expected) + " for '" + std::string(key) +
                                "', got " + describe(v)});
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

bool OptionMap::has(std::string_view key) const { return find(key) != nullptr; }

const OptionValue* OptionMap::find(std::string_view key) const {
  for (const auto& [k, v] : map_.entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

const Location& OptionMap::whereOf(std::string_view key) const {
  const OptionValue* value = find(key);
  return value ? value->where : map_.where;
}

std::optional<std::string> OptionMap::getString(std::string_view key,
                                                std::vector<Diagnostic>& diags,
                                                bool required) const {
  const OptionValue* v = find(key);
  if (v == nullptr) {
    if (required) diags.push_back({map_.where, "missing required key '" + std::string(key) + "'"});
    return std::nullopt;
  }
  if (v->kind != OptionValue::Kind::kScalar) {
    wrongType(*v, key, "a string", diags);
    return std::nullopt;
  }
  return v->scalar;
}

std::optional<int64_t> OptionMap::getInt(std::string_view key, std::vector<Diagnostic>& diags,
                                         int64_t min, int64_t max) const {
  const OptionValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  std::string expected =
      "an integer between " + std::to_string(min) + " and " + std::to_string(max);
  if (v->kind != OptionValue::Kind::kScalar) {
    wrongType(*v, key, expected, diags);
    return std::nullopt;
  }
  std::string_view s = v->scalar;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < min || n > max) {
    wrongType(*v, key, expected, diags);
    return std::nullopt;
  }
  return n;
}

std::optional<bool> OptionMap::getBool(std::string_view key, std::vector<Diagnostic>& diags) const {
  const OptionValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->kind == OptionValue::Kind::kScalar) {
    // The YAML 1.1 spellings, which yaml-cpp users expect.
    std::string s = lower(v->scalar);
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  wrongType(*v, key, "true or false", diags);
  return std::nullopt;
}

std::optional<std::vector<std::string>> OptionMap::getStringList(
    std::string_view key, std::vector<Diagnostic>& diags) const {
  const OptionValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->kind == OptionValue::Kind::kScalar) return std::vector<std::string>{v->scalar};
  if (v->kind != OptionValue::Kind::kSequence) {
    wrongType(*v, key, "a list of strings", diags);
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const OptionValue& item : v->items) {
    if (item.kind != OptionValue::Kind::kScalar) {
      wrongType(item, key, "a list of strings", diags);
      ok = false;
      continue;
    }
    out.push_back(item.scalar);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> OptionMap::getStringMap(
    std::string_view key, std::vector<Diagnostic>& diags) const {
  const OptionValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->kind != OptionValue::Kind::kMap) {
    wrongType(*v, key, "a mapping of strings", diags);
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  bool ok = true;
  for (const auto& [k, item] : v->entries) {
    if (item.kind != OptionValue::Kind::kScalar) {
      wrongType(item, k, "a string", diags);
      ok = false;
      continue;
    }
    out.emplace(k, item.scalar);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<OptionMap> OptionMap::getMap(std::string_view key,
                                           std::vector<Diagnostic>& diags) const {
  const OptionValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->kind != OptionValue::Kind::kMap) {
    wrongType(*v, key, "a mapping", diags);
    return std::nullopt;
  }
  return OptionMap(*v);
}

void OptionMap::rejectUnknown(std::initializer_list<std::string_view> known, std::string_view what,
                              std::vector<Diagnostic>& diags) const {
  for (size_t i = 0; i < map_.entries.size(); ++i) {
    const std::string& key = map_.entries[i].first;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown key '" + key + "' in " + std::string(what);
    // Suggest the closest known key for likely typos (and case slips).
    std::string_view best;
    size_t best_distance = 3;
    for (std::string_view k : known) {
      size_t d = editDistance(lower(key), k);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    if (!best.empty()) message += " (did you mean '" + std::string(best) + "'?)";
    const Location& where =
        i < map_.key_locations.size() ? map_.key_locations[i] : map_.entries[i].second.where;
    diags.push_back({where, std::move(message)});
  }
}

}  // namespace homeo::config
