#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/level.h"
#include "transports/route.h"

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace homeo {

// The format of a transport's spool batch files (see Spool), without any I/O: the spool, the
// `check` command and the fuzz target share it.
//
// A batch file is named <id, 16 hex digits>-<record count>.ndjson and holds one header line and
// the batch as NDJSON (one record a line, each ending in a newline):
//
//   #homeostasisd-spool v1 len=<body bytes, decimal> crc32c=<CRC-32C of the body, 8 hex>
//
// A file without a header whose lines are all JSON objects (the layout before the header) is
// read as before.

// The folder, inside a spool's directory, where files that failed their check are moved.
inline constexpr std::string_view kSpoolQuarantineDir = "quarantine";

// The header line (with its newline) for a batch file of this body.
std::string spoolHeader(std::string_view body);
// Its length, for a body of `body_bytes`.
size_t spoolHeaderSize(uint64_t body_bytes);
// Why a batch file's contents cannot be trusted (empty when they can); `body` is set to the
// NDJSON after the header, if any (a view into `data`).
std::string checkSpoolFile(std::string_view data, std::string_view& body);

// The name of batch `id` holding `records` records, and back (false: not a batch file's name).
std::string spoolFileName(uint64_t id, size_t records);
bool parseSpoolFileName(std::string_view name, uint64_t& id, size_t& records);

// Calls `each` for every record (non-empty line) of a checked body, with its level, service and
// tags read back from the record itself (ERROR and no route when it says none).
void forEachSpooledRecord(
    std::string_view body, simdjson::dom::parser& parser,
    const std::function<void(std::string_view record, Level level, RecordRoute route)>& each);

}  // namespace homeo
