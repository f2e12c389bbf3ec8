#include "common/in_app.h"

#include <algorithm>
#include <variant>

namespace homeo {

namespace {

bool startsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
bool contains(std::string_view s, std::string_view p) { return s.find(p) != s.npos; }

// Whether `owner` is the module `root` or lies under it ("std", "std::rt" under "std").
bool under(std::string_view owner, std::string_view root, std::string_view sep) {
  return startsWith(owner, root) &&
         (owner.size() == root.size() || startsWith(owner.substr(root.size()), sep));
}

// Whether a frame belongs to the language's runtime or to third-party code rather than the
// application: such frames change with library versions and say little about which error
// it is. `owner` is the frame's class (or package, module), else its function.
bool isLibraryFrame(std::string_view language, const Frame& f) {
  const std::string_view file = f.file;
  const std::string_view fn = f.function;
  const std::string_view owner = f.class_name.empty() ? fn : std::string_view(f.class_name);
  if (language == "python") {
    return contains(file, "site-packages/") || contains(file, "dist-packages/") ||
           contains(file, "/lib/python") || startsWith(file, "lib/python") ||
           startsWith(file, "<frozen ") || contains(file, "\\Lib\\");
  }
  if (language == "java" || language == "kotlin" || language == "scala") {
    auto in = [owner](std::string_view package) { return under(owner, package, "."); };
    return in("java") || in("javax") || in("jdk") || in("sun") || in("com.sun") || in("kotlin") ||
           in("kotlinx") || in("scala") || in("akka") || in("org.springframework") ||
           in("org.apache") || in("org.hibernate") || in("org.eclipse.jetty") || in("io.netty") ||
           in("com.zaxxer") || in("reactor") || in("io.micrometer") || in("com.fasterxml") ||
           in("org.junit") || contains(owner, "$Proxy") || contains(owner, "CGLIB$$") ||
           contains(owner, "$$EnhancerBy") || contains(owner, "$$FastClassBy");
  }
  if (language == "go") {
    // Builds with -trimpath write the standard library's files relative ("runtime/panic.go").
    if (contains(file, "/go/src/") || contains(file, "/pkg/mod/") || contains(file, "/vendor/") ||
        startsWith(file, "runtime/") || startsWith(file, "vendor/")) {
      return true;
    }
    // Standard-library packages have no dot in their first path element ("net/http",
    // "runtime"); "main" and module paths ("github.com/x/y") are the application's or a
    // dependency's, told apart by file above.
    const size_t slash = owner.find('/');
    const std::string_view first = owner.substr(0, std::min(slash, owner.find('.')));
    return !first.empty() && first != "main" && !contains(first, ".") && file.empty();
  }
  if (language == "javascript") {
    return file.empty() || contains(file, "node_modules/") || startsWith(file, "node:") ||
           startsWith(file, "internal/");
  }
  if (language == "ruby") {
    return contains(file, "/gems/") || contains(file, "/lib/ruby/") ||
           startsWith(file, "<internal:");
  }
  if (language == "rust") {
    return under(owner, "std", "::") || under(owner, "core", "::") || under(owner, "alloc", "::") ||
           startsWith(owner, "<std::") || startsWith(owner, "<core::") ||
           startsWith(owner, "<alloc::") || startsWith(fn, "rust_begin_unwind") ||
           startsWith(fn, "__rust") || contains(file, "/rustc/") ||
           contains(file, "/.cargo/registry/");
  }
  if (language == "csharp") return under(owner, "System", ".") || under(owner, "Microsoft", ".");
  if (language == "php") return file.empty() || contains(file, "/vendor/");
  if (language == "elixir") {
    if (startsWith(owner, ":") || startsWith(owner, "elixir_")) return true;
    auto in = [owner](std::string_view module) { return under(owner, module, "."); };
    return in("Enum") || in("Kernel") || in("GenServer") || in("Task") || in("IEx") ||
           in("Stream") || in("Map") || in("List") || in("String") || in("Mix") || in("Code");
  }
  return false;
}

// The length of the longest of `prefixes` that the frame's file, class or qualified name
// starts with; 0 when none does.
size_t longestMatch(const std::vector<std::string>& prefixes, std::string_view language,
                    const Frame& f) {
  size_t best = 0;
  for (const std::string& p : prefixes) {
    if (p.size() <= best) continue;
    bool match = startsWith(f.file, p) || startsWith(f.class_name, p) ||
                 (f.class_name.empty() && startsWith(f.function, p));
    if (!match && !f.class_name.empty() && p.size() > f.class_name.size() &&
        startsWith(p, f.class_name)) {
      // A prefix that goes on into the function: "com.mycorp.Api.handle".
      const std::string_view rest = std::string_view(p).substr(f.class_name.size());
      const std::string_view join = frameQualifier(language);
      match = startsWith(rest, join) && startsWith(f.function, rest.substr(join.size()));
    }
    if (match) best = p.size();
  }
  return best;
}

}  // namespace

std::string_view frameQualifier(std::string_view language) {
  if (language == "rust") return "::";
  if (language == "ruby") return "#";
  if (language == "php") return "->";
  return ".";
}

bool isInApp(std::string_view language, const Frame& f) { return !isLibraryFrame(language, f); }

bool isInApp(std::string_view language, const Frame& f, const InAppRules& rules) {
  if (!rules.empty()) {
    const size_t in = longestMatch(rules.include, language, f);
    const size_t out = longestMatch(rules.exclude, language, f);
    if (in > 0 || out > 0) return in > out;
  }
  return isInApp(language, f);
}

void classifyFrames(ErrorRecord& r, const InAppRules& rules) {
  for (Frame& f : r.frames) {
    auto stated = std::find_if(f.extra.begin(), f.extra.end(), [](const auto& member) {
      return member.first == "in_app" && std::holds_alternative<bool>(member.second.storage());
    });
    if (stated != f.extra.end()) {
      f.in_app = std::get<bool>(stated->second.storage());
      f.extra.erase(stated);
    } else {
      f.in_app = isInApp(r.language, f, rules);
    }
  }
}

}  // namespace homeo
