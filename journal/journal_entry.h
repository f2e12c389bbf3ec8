#pragma once

#include <cstdint>
#include <string>

namespace homeo {

// The fields of one journal entry that homeostasisd uses. Absent fields are empty (priority
// -1). The reader reuses one JournalEntry for every entry, so its strings keep their capacity.
struct JournalEntry {
  std::string cursor;          // __CURSOR
  uint64_t realtime_usec = 0;  // __REALTIME_TIMESTAMP
  bool has_message = false;
  std::string message;    // MESSAGE (may hold several lines)
  int priority = -1;      // PRIORITY, 0 (emerg) .. 7 (debug)
  std::string pid;        // _PID
  std::string comm;       // _COMM
  std::string unit;       // _SYSTEMD_UNIT
  std::string user_unit;  // _SYSTEMD_USER_UNIT
  std::string hostname;   // _HOSTNAME
  std::string boot_id;    // _BOOT_ID

  void clear() {
    cursor.clear();
    realtime_usec = 0;
    has_message = false;
    message.clear();
    priority = -1;
    pid.clear();
    comm.clear();
    unit.clear();
    user_unit.clear();
    hostname.clear();
    boot_id.clear();
  }
};

}  // namespace homeo
