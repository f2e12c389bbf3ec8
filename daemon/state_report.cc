#include "daemon/state_report.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "tail/checkpoint_file.h"
#include "transports/fd_write.h"
#include "transports/spool_file.h"

namespace homeo {
namespace {

// Enough names to act on; the counts say the rest.
constexpr size_t kListed = 20;

// The names in `dir`, sorted, without . and ..; false with `error` when it cannot be read.
bool listDir(const std::string& dir, std::vector<std::string>& names, std::string& error) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    error = std::strerror(errno);
    return false;
  }
  while (const dirent* de = ::readdir(d)) {
    const std::string_view name = de->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return true;
}

bool isDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void inspectCheckpoints(const std::string& dir, StateReport& r) {
  const std::string file = dir + "/checkpoints";
  r.corrupt_aside = ::access((file + ".corrupt").c_str(), F_OK) == 0;
  std::string text;
  if (const int err = readWhole(file, text); err != 0) {
    if (err == ENOENT) return;
    r.checkpoints = StateReport::Checkpoints::kUnreadable;
    r.checkpoints_error = std::strerror(err);
    return;
  }
  CheckpointFile content;
  if (!parseCheckpoints(text, content, &r.checkpoints_error)) {
    r.checkpoints = StateReport::Checkpoints::kDamaged;
    return;
  }
  r.checkpoints = StateReport::Checkpoints::kReadable;
  r.files = content.files.size();
  r.journals = content.journals.size();
}

void inspectSpool(const std::string& dir, SpoolState& s) {
  if (!isDir(dir)) return;
  s.exists = true;
  std::vector<std::string> names;
  if (!listDir(dir, names, s.error)) return;
  for (const auto& name : names) {
    uint64_t id = 0;
    size_t records = 0;
    // Other names (unfinished writes, foreign files) are never read as batches.
    if (!parseSpoolFileName(name, id, records)) continue;
    std::string data;
    if (const int err = readWhole(dir + "/" + name, data); err != 0) {
      s.failing.emplace_back(name, std::string("unreadable: ") + std::strerror(err));
      continue;
    }
    std::string_view body;
    if (std::string problem = checkSpoolFile(data, body); !problem.empty()) {
      s.failing.emplace_back(name, std::move(problem));
      continue;
    }
    ++s.waiting;
    s.waiting_bytes += data.size();
  }
  std::string error;
  listDir(dir + "/" + std::string(kSpoolQuarantineDir), s.quarantined, error);
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

StateReport inspectState(const std::string& state_dir,
                         const std::vector<std::string>& transport_types) {
  StateReport r;
  r.dir = state_dir;
  struct stat st {};
  if (::stat(state_dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return r;
    r.dir_state = StateReport::Dir::kNotDirectory;
    r.dir_error = std::strerror(errno);
    return r;
  }
  if (!S_ISDIR(st.st_mode)) {
    r.dir_state = StateReport::Dir::kNotDirectory;
    r.dir_error = "not a directory";
    return r;
  }
  r.dir_state = StateReport::Dir::kExists;
  if (::access(state_dir.c_str(), W_OK | X_OK) != 0) {
    r.dir_state = StateReport::Dir::kNotWritable;
    r.dir_error = std::strerror(errno);
  }
  inspectCheckpoints(state_dir, r);

  // The folders of this config's transports (named as the Dispatcher names them), then any
  // other an earlier config left.
  const std::string spool_dir = state_dir + "/spool";
  for (size_t i = 0; i < transport_types.size(); ++i) {
    SpoolState s;
    s.name = std::to_string(i) + "-" + transport_types[i];
    inspectSpool(spool_dir + "/" + s.name, s);
    r.spools.push_back(std::move(s));
  }
  std::vector<std::string> names;
  std::string error;
  if (listDir(spool_dir, names, error)) {
    for (const auto& name : names) {
      const bool known = std::any_of(r.spools.begin(), r.spools.end(),
                                     [&](const SpoolState& s) { return s.name == name; });
      if (known || !isDir(spool_dir + "/" + name)) continue;
      SpoolState s;
      s.name = name;
      s.configured = false;
      inspectSpool(spool_dir + "/" + name, s);
      r.spools.push_back(std::move(s));
    }
  }
  return r;
}

std::string formatStateReport(const StateReport& r) {
  std::string out = "state_dir " + r.dir + ": ";
  switch (r.dir_state) {
    case StateReport::Dir::kMissing:
      return out + "missing; run creates it\n";
    case StateReport::Dir::kNotDirectory:
      return out + "unusable (" + r.dir_error + "); run would exit 73\n";
    case StateReport::Dir::kNotWritable:
      out += "not writable (" + r.dir_error + "); run would exit 73\n";
      break;
    case StateReport::Dir::kExists:
      out += "exists\n";
      break;
  }
  out += "  checkpoints: ";
  switch (r.checkpoints) {
    case StateReport::Checkpoints::kNone:
      out += "none yet (a first start: read_from decides where files are read from)\n";
      break;
    case StateReport::Checkpoints::kReadable:
      out += "readable, tracks " + plural(r.files, "file", "files");
      if (r.journals > 0) out += " and " + plural(r.journals, "journal input", "journal inputs");
      out += "\n";
      break;
    case StateReport::Checkpoints::kDamaged:
      out += "damaged (" + r.checkpoints_error +
             "); run sets it aside as checkpoints.corrupt and reads files again as read_from "
             "says\n";
      break;
    case StateReport::Checkpoints::kUnreadable:
      out += "unreadable (" + r.checkpoints_error + ")\n";
      break;
  }
  if (r.corrupt_aside) out += "  checkpoints.corrupt: a damaged file set aside by an earlier run\n";
  for (const auto& s : r.spools) {
    out += "  spool " + s.name + ": ";
    if (!s.configured) out += "(no transport of this config) ";
    if (!s.exists) {
      out += "none\n";
      continue;
    }
    if (!s.error.empty()) {
      out += "unreadable (" + s.error + ")\n";
      continue;
    }
    if (s.waiting == 0 && s.failing.empty() && s.quarantined.empty()) {
      out += "empty\n";
      continue;
    }
    out += plural(s.waiting, "batch", "batches") + " waiting (" +
           plural(s.waiting_bytes, "byte", "bytes") + "), " + std::to_string(s.failing.size()) +
           " failing their check, " + std::to_string(s.quarantined.size()) + " quarantined\n";
    for (size_t i = 0; i < s.failing.size() && i < kListed; ++i) {
      out += "    failing " + s.failing[i].first + ": " + s.failing[i].second + "\n";
    }
    if (s.failing.size() > kListed) {
      out += "    ... and " + std::to_string(s.failing.size() - kListed) + " more failing\n";
    }
    for (size_t i = 0; i < s.quarantined.size() && i < kListed; ++i) {
      out += "    quarantined " + s.quarantined[i] + "\n";
    }
    if (s.quarantined.size() > kListed) {
      out +=
          "    ... and " + std::to_string(s.quarantined.size() - kListed) + " more quarantined\n";
    }
  }
  return out;
}

}  // namespace homeo
