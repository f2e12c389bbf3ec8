#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Homeostasis' own log. Its MonitoringLogger writes each record as a Python logging line whose
// message is the record's JSON (`%(asctime)s - %(name)s - %(levelname)s - %(message)s`):
//   2024-03-02 10:11:12,925 - homeostasis.shop-api - ERROR - {"timestamp": "...", ...}
// Such a line is read as the record it carries (the JSON format's reading of Homeostasis'
// schema: service, error_details with its frames and error_id, tags, call_location...), its
// header deciding the level and giving the time and module when the record has none; an INFO
// line is dropped from its header alone, without parsing the JSON.
//
// The format reads what else such a file holds as the formats of those lines do, naming them
// in metadata.format: plain Python logging lines with their tracebacks (`python`), JSON lines,
// Homeostasis records written one per line among them (`json`). Detection scores those lines
// as python and json do and a Homeostasis line higher, so a file is `homeostasis` when one of
// its first lines is Homeostasis' (or it mixes Python and JSON lines), and stays `python` or
// `json` otherwise.
std::unique_ptr<Parser> makeHomeostasisParser();

}  // namespace homeo
