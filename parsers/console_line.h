#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

namespace homeo::console {

// What console pretty-printers (zerolog's ConsoleWriter, tracing-subscriber's fmt layer,
// pino-pretty, log4js' coloured layout) add to a line: terminal colours, and the event's fields
// as key=value pairs after the message. They write colours into files too (a service's stderr
// redirected by systemd or a container runtime is no terminal they test for).

// Skips the colour and style sequences ("\x1b[31m", "\x1b[1;2m") at the start of s.
void skipAnsi(std::string_view& s);

// s without its colour and style sequences: s itself when it holds no escape character (no
// copy), else a copy without them in `scratch`, which the view returned points into.
std::string_view stripAnsi(std::string_view s, std::string& scratch);

// The message of `text` without the key=value fields that end it ("payment refused order=7
// error=\"card declined\"" gives "payment refused"); each field goes to `context` as a string
// (quoted values unquoted) unless context is null. A text that is nothing but fields gives an
// empty message; one that ends in no field, the text itself.
std::string_view splitTrailingFields(std::string_view text, JsonObject* context);

}  // namespace homeo::console
