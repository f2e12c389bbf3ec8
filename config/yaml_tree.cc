#include "config/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <sstream>

namespace homeo::config {

namespace {

// Aliases may form cycles or expand exponentially ("billion laughs"); bound both.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxNodes = 200000;

bool isNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

Location toLocation(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null()) return {file, 1, 1};
  return {file, std::max(mark.line, 0) + 1, std::max(mark.column, 0) + 1};
}

// Records where the documents of a stream start, building nothing.
class DocumentStarts final : public YAML::EventHandler {
 public:
  size_t count() const { return count_; }
  const YAML::Mark& first() const { return first_; }
  const YAML::Mark& second() const { return second_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (count_ == 0) first_ = mark;
    if (count_ == 1) second_ = mark;
    ++count_;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  size_t count_ = 0;
  YAML::Mark first_;
  YAML::Mark second_;
};

class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, std::vector<Diagnostic>& diags)
      : file_(file), diags_(diags) {}

  OptionValue convert(const YAML::Node& node, const Location& where, int depth) {
    OptionValue out;
    out.where = where;
    if (++nodes_ > kMaxNodes || depth > kMaxDepth) {
      if (!too_big_) {
        diags_.push_back({where, depth > kMaxDepth ? "values nested too deeply (a recursive alias?)"
                                                   : "too many values (runaway alias expansion?)"});
      }
      too_big_ = true;
      return out;
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = OptionValue::Kind::kNull;
        break;
      case YAML::NodeType::Scalar: {
        out.kind = OptionValue::Kind::kScalar;
        std::vector<std::string> errors;
        out.scalar = substituteEnv(node.Scalar(), errors);
        for (std::string& e : errors) diags_.push_back({where, std::move(e)});
        break;
      }
      case YAML::NodeType::Sequence:
        out.kind = OptionValue::Kind::kSequence;
        for (const YAML::Node& item : node) {
          out.items.push_back(convert(item, toLocation(item.Mark(), file_), depth + 1));
        }
        break;
      case YAML::NodeType::Map:
        out.kind = OptionValue::Kind::kMap;
        for (const auto& kv : node) addEntry(out, kv.first, kv.second, depth);
        break;
    }
    return out;
  }

 private:
  void addEntry(OptionValue& map, const YAML::Node& key, const YAML::Node& value, int depth) {
    Location key_where = toLocation(key.Mark(), file_);
    if (!key.IsScalar() || key.Scalar().empty()) {
      diags_.push_back({key_where, "expected a non-empty string as key"});
      return;
    }
    const std::string& name = key.Scalar();
    for (size_t i = 0; i < map.entries.size(); ++i) {
      if (map.entries[i].first == name) {
        const Location& first = map.key_locations[i];
        diags_.push_back({key_where, "duplicate key '" + name + "' (first at line " +
                                         std::to_string(first.line) + ", column " +
                                         std::to_string(first.column) + ")"});
        return;
      }
    }
    // yaml-cpp marks an empty value at the next token, which may be lines further on.
    Location value_where = value.IsNull() ? key_where : toLocation(value.Mark(), file_);
    map.entries.emplace_back(name, convert(value, value_where, depth + 1));
    map.key_locations.push_back(key_where);
  }

  const std::string& file_;
  std::vector<Diagnostic>& diags_;
  size_t nodes_ = 0;
  bool too_big_ = false;
};

}  // namespace

std::string substituteEnv(std::string_view in, std::vector<std::string>& errors) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    if (in.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (in.compare(i, 2, "${") != 0) {
      out += in[i++];
      continue;
    }
    size_t close = in.find('}', i + 2);
    if (close == std::string_view::npos) {
      errors.push_back("unterminated '${' (write '$${' for a literal '${')");
      out.append(in.substr(i));
      break;
    }
    std::string_view name = in.substr(i + 2, close - i - 2);
    bool valid =
        !name.empty() && isNameStart(name[0]) && std::all_of(name.begin(), name.end(), isNameChar);
    if (!valid) {
      errors.push_back("invalid environment variable name in '${" + std::string(name) + "}'");
    } else if (const char* value = std::getenv(std::string(name).c_str()); value == nullptr) {
      errors.push_back("environment variable '" + std::string(name) + "' is not set");
    } else {
      out += value;
    }
    i = close + 1;
  }
  return out;
}

std::optional<OptionValue> parseYamlTree(std::string_view text, const std::string& file,
                                         std::vector<Diagnostic>& diags) {
  const std::string input(text);
  YAML::Node root;
  try {
    // Count the documents first, two at most. YAML::LoadAll of yaml-cpp 0.7 never returns on
    // some malformed text (",-:" for one): its parser reports an empty document without
    // consuming anything, again and again, and LoadAll keeps collecting them until memory
    // runs out. Such a "document" starts where the previous one did.
    std::istringstream in(input);
    YAML::Parser parser(in);
    DocumentStarts starts;
    while (starts.count() < 2 && parser.HandleNextDocument(starts)) {
    }
    if (starts.count() > 1) {
      const YAML::Mark& second = starts.second();
      if (second.pos <= starts.first().pos) {
        const char c = static_cast<size_t>(second.pos) < input.size() ? input[second.pos] : ' ';
        diags.push_back(
            {toLocation(second, file), std::string("YAML syntax error: unexpected '") + c + "'"});
      } else {
        diags.push_back({toLocation(second, file), "only one YAML document is allowed"});
      }
      return std::nullopt;
    }
    if (starts.count() == 0) {
      OptionValue empty;
      empty.where = {file, 1, 1};
      return empty;
    }
    root = YAML::Load(input);
  } catch (const YAML::ParserException& e) {
    diags.push_back({toLocation(e.mark, file), "YAML syntax error: " + e.msg});
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    diags.push_back({toLocation(e.mark, file), "YAML error: " + e.msg});
    return std::nullopt;
  } catch (const std::exception& e) {
    diags.push_back({{file, 1, 1}, std::string("cannot parse YAML: ") + e.what()});
    return std::nullopt;
  }
  try {
    TreeBuilder builder(file, diags);
    return builder.convert(root, toLocation(root.Mark(), file), 0);
  } catch (const std::exception& e) {
    // Node access should not throw on a tree we walk by type, but nothing may escape.
    diags.push_back({{file, 1, 1}, std::string("cannot read YAML: ") + e.what()});
    return std::nullopt;
  }
}

}  // namespace homeo::config
