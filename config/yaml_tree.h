#pragma once

// Internal to config/: the only place that sees YAML. Everything else reads OptionValue.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace homeo::config {

// Parses one YAML document into an OptionValue tree with 1-based locations, replacing ${NAME}
// in scalar values from the environment. Syntax errors, unset variables, duplicate or
// non-string keys and runaway alias expansion become diagnostics. Returns nullopt only when
// the text could not be parsed at all (or held more than one document).
std::optional<OptionValue> parseYamlTree(std::string_view text, const std::string& file,
                                         std::vector<Diagnostic>& diags);

// Replaces ${NAME} with the environment variable NAME; "$${" stands for a literal "${".
// Each unset variable or malformed reference appends a message to `errors`.
std::string substituteEnv(std::string_view in, std::vector<std::string>& errors);

}  // namespace homeo::config
