#include "parsers/console_line.h"

#include "parsers/text_util.h"

namespace homeo::console {
namespace {

// Length of the sequence "\x1b[" params final at the start of s, or 0.
size_t ansiLength(std::string_view s) {
  if (s.size() < 3 || s[0] != '\x1b' || s[1] != '[') return 0;
  size_t i = 2;
  while (i < s.size() && (text::isDigit(s[i]) || s[i] == ';')) ++i;
  // The final byte of a control sequence; colours end in 'm', cursor moves in other letters.
  if (i < s.size() && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) {
    return i + 1;
  }
  return 0;
}

bool isKeyChar(char c) {
  return text::isIdentChar(c) || c == '.' || c == '-' || c == '@' || c == '/';
}

// A field at the start of s: key=value or key="quoted value". Sets the parts and the field's
// length; false for a bare word.
bool readField(std::string_view s, std::string_view& key, std::string_view& value, bool& quoted,
               size_t& len) {
  size_t i = 0;
  while (i < s.size() && isKeyChar(s[i])) ++i;
  if (i == 0 || i >= s.size() || s[i] != '=') return false;
  key = s.substr(0, i);
  ++i;
  if (i < s.size() && s[i] == '"') {
    size_t j = i + 1;
    while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
    if (j >= s.size()) return false;  // unterminated: not a field
    value = s.substr(i + 1, j - i - 1);
    quoted = true;
    len = j + 1;
    if (len < s.size() && !text::isSpace(s[len])) return false;
    return true;
  }
  size_t j = i;
  while (j < s.size() && !text::isSpace(s[j])) ++j;
  value = s.substr(i, j - i);
  quoted = false;
  len = j;
  return true;
}

std::string unquote(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      const char c = v[++i];
      out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

}  // namespace

void skipAnsi(std::string_view& s) {
  while (const size_t n = ansiLength(s)) s.remove_prefix(n);
}

std::string_view stripAnsi(std::string_view s, std::string& scratch) {
  size_t esc = s.find('\x1b');
  if (esc == std::string_view::npos) return s;
  scratch.clear();
  size_t from = 0;
  while (esc != std::string_view::npos) {
    scratch.append(s.substr(from, esc - from));
    const size_t n = ansiLength(s.substr(esc));
    from = esc + (n > 0 ? n : 1);
    esc = s.find('\x1b', from);
  }
  scratch.append(s.substr(from));
  return scratch;
}

std::string_view splitTrailingFields(std::string_view text, JsonObject* context) {
  // One pass: remember where the run of fields that reaches the end begins.
  size_t run = std::string_view::npos;
  size_t i = 0;
  std::string_view key, value;
  bool quoted = false;
  while (i < text.size()) {
    if (text::isSpace(text[i])) {
      ++i;
      continue;
    }
    size_t len = 0;
    if (readField(text.substr(i), key, value, quoted, len)) {
      if (run == std::string_view::npos) run = i;
      i += len;
      continue;
    }
    run = std::string_view::npos;
    while (i < text.size() && !text::isSpace(text[i])) ++i;
  }
  if (run == std::string_view::npos) return text;
  if (context != nullptr) {
    std::string_view rest = text.substr(run);
    while (!rest.empty()) {
      rest = text::trimLeft(rest);
      size_t len = 0;
      if (rest.empty() || !readField(rest, key, value, quoted, len)) break;
      setField(*context, key, JsonValue(quoted ? unquote(value) : std::string(value)));
      rest.remove_prefix(len);
    }
  }
  return text::trimRight(text.substr(0, run));
}

}  // namespace homeo::console
