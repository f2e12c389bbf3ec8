#pragma once

#include <string>

namespace homeo {

// What `homeostasisd version` prints: "homeostasisd VERSION" on the first line, then the
// commit the binary was built from, its build type and compiler, and the version of each
// library it uses (the one loaded at run time where the library can tell).
std::string buildDescription();

}  // namespace homeo
