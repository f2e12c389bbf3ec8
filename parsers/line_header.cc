#include "parsers/line_header.h"

#include "parsers/text_util.h"

namespace homeo {

std::optional<Level> findLevelToken(std::string_view s, size_t window, size_t* end) {
  const size_t limit = std::min(s.size(), window);
  size_t i = 0;
  while (i < limit) {
    // Start of a word.
    if (!text::isAlpha(s[i]) || (i > 0 && text::isIdentChar(s[i - 1]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && text::isAlpha(s[j])) ++j;
    const size_t len = j - i;
    if (len >= 3 && len <= 9 && (j == s.size() || !text::isIdentChar(s[j]))) {
      const std::string_view word = s.substr(i, len);
      // Lower-case words count only when marked as a level: [error], <error>, level=error,
      // "error:" at the start; plain prose ("an error occurred") does not.
      const bool upper = word[0] >= 'A' && word[0] <= 'Z' && word[1] >= 'A' && word[1] <= 'Z';
      const char before = i > 0 ? s[i - 1] : ' ';
      const char after = j < s.size() ? s[j] : ' ';
      const bool marked = before == '[' || before == '<' || before == '=' || before == '(' ||
                          (i == 0 && after == ':') || after == ']' || after == '>';
      if (upper || marked) {
        if (auto level = parseLevel(word)) {
          if (end) *end = j;
          return level;
        }
      }
    }
    i = j;
  }
  return std::nullopt;
}

}  // namespace homeo
