#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Lines that a supervisor or a pipe prefixed with a machine timestamp, before the program's
// own text. The prefix gives the time; the rest is read like free text (a level word if there
// is one, else INFO; following lines that are not prefixed continue the entry).
//   tai64n: @4000000065943a4d0a2b1c3d fatal: unable to bind port   (daemontools multilog,
//           s6-log, runit svlogd -tt)
//   epoch:  1704207845123 ERROR cache miss storm   (seconds, ms, us or ns since 1970, with an
//           optional .fraction)
std::unique_ptr<Parser> makeTai64nParser();
std::unique_ptr<Parser> makeEpochParser();

}  // namespace homeo
