#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace homeo::text {

inline bool isSpace(char c) { return c == ' ' || c == '\t'; }
inline bool isDigit(char c) { return c >= '0' && c <= '9'; }
inline bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool isIdentChar(char c) { return isAlpha(c) || isDigit(c) || c == '_'; }

inline std::string_view trimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isSpace(s[i])) ++i;
  return s.substr(i);
}

inline std::string_view trimRight(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && (isSpace(s[n - 1]) || s[n - 1] == '\r')) --n;
  return s.substr(0, n);
}

inline std::string_view trim(std::string_view s) { return trimRight(trimLeft(s)); }

inline bool startsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Parses a non-negative decimal integer filling all of s.
inline std::optional<int64_t> parseUint(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (!isDigit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Takes the next space-delimited token from s (skipping leading spaces) and advances s.
inline std::string_view nextToken(std::string_view& s) {
  s = trimLeft(s);
  size_t i = 0;
  while (i < s.size() && !isSpace(s[i])) ++i;
  std::string_view tok = s.substr(0, i);
  s.remove_prefix(i);
  return tok;
}

// Whether s looks like an exception type name: dotted identifiers, ending in a
// conventional suffix or at least capitalised (KeyError, java.lang.IllegalStateException,
// requests.exceptions.ConnectionError, StopIteration).
bool looksLikeExceptionType(std::string_view s);

}  // namespace homeo::text
