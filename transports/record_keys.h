#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace homeo {

// The fields of a serialized record that transports key, route or group records by.
struct RecordKeys {
  std::string_view service;
  std::string_view error_id;
  std::string_view fingerprint;  // metadata.fingerprint
  std::string_view source_path;  // metadata.source.path
};

// Reads RecordKeys out of serialized records with simdjson On Demand, over a reused padded copy
// of the record (records are built by us: the copy is the only cost). One per thread.
class RecordKeyReader {
 public:
  RecordKeyReader();
  ~RecordKeyReader();
  RecordKeyReader(const RecordKeyReader&) = delete;
  RecordKeyReader& operator=(const RecordKeyReader&) = delete;

  // Fills `keys` (fields the record lacks stay empty). False when `record` is not a JSON
  // object. The views stay valid until the next read().
  bool read(std::string_view record, RecordKeys& keys);

 private:
  struct Parser;  // simdjson's On Demand parser (a namespace alias there: not declarable here)
  std::unique_ptr<Parser> parser_;
  std::string buffer_;
};

}  // namespace homeo
