#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace homeo {

// What `check` says of the state an earlier run left in state_dir: the checkpoint file, and
// each transport's disk spool (state_dir/spool/<index>-<type>/) with its batches waiting, those
// failing their check and those already quarantined. Reads only: nothing is moved, set aside or
// created, so a damaged file is reported as it is and run still finds it.
struct SpoolState {
  std::string name;        // <index>-<type>
  bool configured = true;  // false: no transport of this config uses the folder
  bool exists = false;     // no folder: nothing was ever spooled
  std::string error;       // the folder cannot be read
  size_t waiting = 0;      // batch files that pass their check
  uint64_t waiting_bytes = 0;
  std::vector<std::pair<std::string, std::string>> failing;  // file name, why (damaged, unreadable)
  std::vector<std::string> quarantined;                      // names in its quarantine/ folder
};

struct StateReport {
  enum class Dir { kMissing, kExists, kNotDirectory, kNotWritable };
  enum class Checkpoints { kNone, kReadable, kDamaged, kUnreadable };

  std::string dir;
  Dir dir_state = Dir::kMissing;
  std::string dir_error;  // why it is not usable
  Checkpoints checkpoints = Checkpoints::kNone;
  std::string checkpoints_error;   // what is wrong with the file
  size_t files = 0;                // files it tracks
  size_t journals = 0;             // journal inputs it tracks
  bool corrupt_aside = false;      // a damaged file an earlier run set aside is there
  std::vector<SpoolState> spools;  // the config's transports in order, then other folders
};

// Inspects state_dir for a config whose transports have these types, in order.
StateReport inspectState(const std::string& state_dir,
                         const std::vector<std::string>& transport_types);

// The report as `check` prints it: a `state_dir` line, then indented lines (each ending in \n).
std::string formatStateReport(const StateReport& report);

}  // namespace homeo
