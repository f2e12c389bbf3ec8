#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// The format of the Homeostasis guide:
//   [ERROR][2023-05-20 14:30:22] app.users - KeyError: 'user_id'
// followed, optionally, by the lines of a traceback.
std::unique_ptr<Parser> makeBracketParser();

}  // namespace homeo
