#include "parsers/trace/frame_names.h"

#include "parsers/text_util.h"

namespace homeo::frames {

using text::startsWith;

namespace {

constexpr size_t npos = std::string_view::npos;

void setWhole(std::string_view name, Frame& f) {
  f.class_name.clear();
  f.function.assign(name);
}

// class = name[0, class_end), function = prefix + name[function_begin, end).
void setSplit(std::string_view name, size_t class_end, size_t function_begin, Frame& f,
              std::string_view prefix = {}) {
  f.class_name.assign(name.substr(0, class_end));
  f.function.assign(prefix);
  f.function.append(name.substr(function_begin));
}

bool isHex(char c) { return text::isDigit(c) || (c >= 'a' && c <= 'f'); }

// A Ruby constant path: "Cart", "Foo::Bar".
bool isConstantPath(std::string_view s) {
  if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  for (char c : s) {
    if (!text::isIdentChar(c) && c != ':') return false;
  }
  return true;
}

}  // namespace

void setJvmName(std::string_view name, Frame& f) {
  // "app//com.x.Foo.bar", "java.base/java.lang.Thread.run", "lib/mod@1.0/com.x.Foo.bar"; the
  // name of a hidden class carries a "/0x..." of its own ("Foo$$Lambda/0x0001.run").
  size_t slash = name.rfind('/');
  while (slash != npos && startsWith(name.substr(slash + 1), "0x")) {
    slash = slash == 0 ? npos : name.rfind('/', slash - 1);
  }
  if (slash != npos) name = name.substr(slash + 1);
  const size_t dot = name.rfind('.');
  if (dot == npos || dot == 0 || dot + 1 == name.size()) return setWhole(name, f);
  setSplit(name, dot, dot + 1, f);
}

void setDotnetName(std::string_view name, Frame& f) {
  // A compiler-generated segment ("<Run>d__4", "<>c__DisplayClass5_0") and what follows it
  // are the function of the class before it.
  for (size_t i = 1; i + 1 < name.size(); ++i) {
    if (name[i] == '<' && name[i - 1] == '.') {
      if (i < 2) break;
      return setSplit(name, i - 1, i, f);
    }
  }
  // Constructors: "Shop.Cart..ctor", "Shop.Cart..cctor".
  for (std::string_view ctor : {std::string_view("..ctor"), std::string_view("..cctor")}) {
    if (name.size() > ctor.size() && name.ends_with(ctor)) {
      const size_t end = name.size() - ctor.size();
      return setSplit(name, end, end + 1, f);
    }
  }
  // The last dot outside a generic method's "[T]".
  int depth = 0;
  for (size_t i = name.size(); i-- > 0;) {
    const char c = name[i];
    if (c == ']') ++depth;
    if (c == '[' && depth > 0) --depth;
    if (c == '.' && depth == 0) {
      if (i == 0 || i + 1 == name.size()) break;
      return setSplit(name, i, i + 1, f);
    }
  }
  setWhole(name, f);
}

void setGoName(std::string_view name, Frame& f) {
  // The package ends at the first dot after the last slash: Go escapes dots in the last path
  // element ("gopkg.in/yaml%2ev3.(*parser).parse").
  const size_t slash = name.rfind('/');
  const size_t dot = name.find('.', slash == npos ? 0 : slash + 1);
  if (dot == npos || dot == 0 || dot + 1 >= name.size()) return setWhole(name, f);
  const std::string_view rest = name.substr(dot + 1);
  if (rest[0] == '(') {
    const size_t close = rest.find(')');
    if (close != npos && close + 2 < rest.size() && rest[close + 1] == '.') {
      const size_t class_end = dot + 1 + close + 1;
      return setSplit(name, class_end, class_end + 1, f);
    }
  }
  setSplit(name, dot, dot + 1, f);
}

void setRustName(std::string_view name, Frame& f) {
  constexpr size_t kHash = 19;  // "::h" and 16 hex digits
  if (name.size() > kHash && name.substr(name.size() - kHash, 3) == "::h") {
    bool hex = true;
    for (size_t i = name.size() - 16; i < name.size(); ++i) hex = hex && isHex(name[i]);
    if (hex) name.remove_suffix(kHash);
  }
  // The last "::" outside <...> ("<T as Trait>::m"; the ">" of "->" closes nothing).
  int depth = 0;
  size_t split = npos;
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    const char c = name[i];
    if (c == '<') ++depth;
    if (c == '>' && depth > 0 && (i == 0 || name[i - 1] != '-')) --depth;
    if (depth == 0 && c == ':' && name[i + 1] == ':') {
      split = i;
      ++i;
    }
  }
  if (split == npos || split == 0 || split + 2 >= name.size()) return setWhole(name, f);
  setSplit(name, split, split + 2, f);
}

void setRubyName(std::string_view name, Frame& f) {
  // "block (2 levels) in Cart#lines", "rescue in Foo.bar": the part before " in " belongs to
  // the function.
  std::string_view prefix;
  std::string_view label = name;
  if (const size_t in = name.rfind(" in "); in != npos) {
    prefix = name.substr(0, in + 4);
    label = name.substr(in + 4);
  }
  size_t sep = label.find('#');
  if (sep == npos) sep = label.find('.');
  if (sep == npos || sep + 1 >= label.size() || !isConstantPath(label.substr(0, sep))) {
    return setWhole(name, f);
  }
  f.class_name.assign(label.substr(0, sep));
  f.function.assign(prefix);
  f.function.append(label.substr(sep + 1));
}

void setPhpName(std::string_view name, Frame& f) {
  if (!name.empty() && name[0] != '{') {
    size_t sep = name.find("->");
    const size_t statik = name.find("::");
    if (statik != npos && (sep == npos || statik < sep)) sep = statik;
    if (sep != npos && sep > 0 && sep + 2 < name.size()) return setSplit(name, sep, sep + 2, f);
  }
  setWhole(name, f);
}

void setElixirName(std::string_view name, Frame& f) {
  std::string_view prefix;
  std::string_view qualified = name;
  if (startsWith(name, "anonymous fn")) {
    if (const size_t in = name.find(" in "); in != npos) {
      prefix = name.substr(0, in + 4);
      qualified = name.substr(in + 4);
    }
  }
  // The module ends at the last dot before the arity.
  const size_t slash = qualified.rfind('/');
  const size_t dot = qualified.rfind('.', slash == npos ? npos : slash);
  if (dot == npos || dot == 0 || dot + 1 >= qualified.size() || dot + 1 == slash) {
    return setWhole(name, f);
  }
  f.class_name.assign(qualified.substr(0, dot));
  f.function.assign(prefix);
  f.function.append(qualified.substr(dot + 1));
}

}  // namespace homeo::frames
