#pragma once

#include <memory>
#include <string>

#include "parsers/parser.h"

namespace homeo {

// A user-defined format from the config's `parsers:` section: an RE2 pattern whose named
// groups fill the record (level, timestamp, message, module, exception_type; any other group
// goes to context). Lines that do not match continue the previous event (tracebacks).
// Returns null and sets *error when the pattern does not compile.
std::unique_ptr<Parser> makeRegexParser(const std::string& name, const std::string& pattern,
                                        std::string* error = nullptr);

}  // namespace homeo
