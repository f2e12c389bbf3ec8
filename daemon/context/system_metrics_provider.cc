#include "daemon/context/system_metrics_provider.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace homeo {
namespace {

// Reads a small /proc file whole; false when it cannot be opened or read.
bool readSmallFile(const std::string& path, std::string& out) {
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[8192];
  bool ok = true;
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (1 << 20)) break;
  }
  ::close(fd);
  return ok;
}

// The number after `key` in a "Key:   123 kB" line of /proc/meminfo or /proc/<pid>/status.
bool fieldValue(const std::string& text, std::string_view key, uint64_t& value) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t eol = text.find('\n', pos);
    std::string_view line(text.data() + pos, (eol == std::string::npos ? text.size() : eol) - pos);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      value = std::strtoull(std::string(line.substr(key.size() + 1)).c_str(), nullptr, 10);
      return true;
    }
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  return false;
}

double round2(double v) { return static_cast<double>(static_cast<int64_t>(v * 100 + 0.5)) / 100; }

bool underDir(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path[0] == '/';
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

}  // namespace

SystemMetricsProvider::SystemMetricsProvider(Options options)
    : shared_(std::make_shared<Shared>()),
      sampler_([shared = shared_](Sample& out,
                                  std::string& error) { return sample(*shared, out, error); },
               options.interval, options.timeout) {
  shared_->proc_root = std::move(options.proc_root);
  shared_->dirs = std::move(options.dirs);
}

bool SystemMetricsProvider::sample(Shared& sh, Sample& out, std::string& error) {
  ++sh.samples;
  std::string text;
  if (!readSmallFile(sh.proc_root + "/stat", text) || text.rfind("cpu ", 0) != 0) {
    error = "cannot read " + sh.proc_root + "/stat";
    return false;
  }
  {
    std::istringstream in(text.substr(4, text.find('\n') - 4));
    uint64_t v = 0, total = 0, idle = 0;
    for (int i = 0; in >> v; ++i) {
      if (i >= 8) break;  // guest times are already in user and nice
      total += v;
      if (i == 3 || i == 4) idle += v;  // idle, iowait
    }
    if (sh.prev_total != 0 && total > sh.prev_total) {
      const double busy = 1.0 - static_cast<double>(idle - sh.prev_idle) /
                                    static_cast<double>(total - sh.prev_total);
      out.fields.emplace_back("cpu_percent", JsonValue(round2(100.0 * busy)));
    }
    sh.prev_total = total;
    sh.prev_idle = idle;
  }
  if (!readSmallFile(sh.proc_root + "/loadavg", text)) {
    error = "cannot read " + sh.proc_root + "/loadavg";
    return false;
  }
  {
    std::istringstream in(text);
    double l1 = 0, l5 = 0, l15 = 0;
    if (in >> l1 >> l5 >> l15) {
      out.fields.emplace_back("load_1m", JsonValue(l1));
      out.fields.emplace_back("load_5m", JsonValue(l5));
      out.fields.emplace_back("load_15m", JsonValue(l15));
    }
  }
  if (!readSmallFile(sh.proc_root + "/meminfo", text)) {
    error = "cannot read " + sh.proc_root + "/meminfo";
    return false;
  }
  uint64_t total_kb = 0, avail_kb = 0;
  if (fieldValue(text, "MemTotal", total_kb) && fieldValue(text, "MemAvailable", avail_kb) &&
      total_kb > 0) {
    out.fields.emplace_back("memory_total_bytes", JsonValue(total_kb * 1024));
    out.fields.emplace_back("memory_available_bytes", JsonValue(avail_kb * 1024));
    out.fields.emplace_back(
        "memory_used_percent",
        JsonValue(round2(100.0 * static_cast<double>(total_kb - std::min(avail_kb, total_kb)) /
                         static_cast<double>(total_kb))));
  }
  for (const auto& dir : sh.dirs) {
    struct statvfs vfs {};
    if (::statvfs(dir.c_str(), &vfs) != 0 || vfs.f_blocks == 0) continue;
    const uint64_t total = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    const uint64_t avail = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bfree) * vfs.f_frsize;
    JsonObject usage;
    usage.emplace_back("path", JsonValue(dir));
    usage.emplace_back("total_bytes", JsonValue(total));
    usage.emplace_back("available_bytes", JsonValue(avail));
    usage.emplace_back("used_percent",
                       JsonValue(round2(100.0 * static_cast<double>(total - free_bytes) /
                                        static_cast<double>(total))));
    out.disks.push_back({dir, std::move(usage)});
  }
  return true;
}

void SystemMetricsProvider::apply(ErrorRecord& r) {
  auto snap = sampler_.snapshot();
  if (!snap.value) {
    addContextError(r, name(), snap.error);
    return;
  }
  JsonObject fields = snap.value->fields;
  // The longest directory holding the record's file.
  const Disk* best = nullptr;
  for (const auto& d : snap.value->disks) {
    if (underDir(r.source_path, d.dir) && (!best || d.dir.size() > best->dir.size())) best = &d;
  }
  if (best) fields.emplace_back("disk", JsonValue(best->usage));
  setField(r.context, "system_metrics", JsonValue(std::move(fields)));
}

ProcessProvider::ProcessProvider(Options options)
    : shared_(std::make_shared<Shared>()),
      sampler_([shared = shared_](JsonObject& out,
                                  std::string& error) { return sample(*shared, out, error); },
               options.interval, options.timeout) {
  shared_->options = std::move(options);
}

bool ProcessProvider::sample(Shared& sh, JsonObject& out, std::string& error) {
  const Options& o = sh.options;
  std::string text;
  long pid = 0;
  if (!o.pid_file.empty()) {
    if (!readSmallFile(o.pid_file, text)) {
      error = "cannot read pid file " + o.pid_file;
      return false;
    }
    pid = std::strtol(text.c_str(), nullptr, 10);
  } else {
    const std::string procs = o.cgroup_root + "/system.slice/" + o.unit + "/cgroup.procs";
    if (!readSmallFile(procs, text)) {
      error = "unit " + o.unit + " is not running";
      return false;
    }
    pid = std::strtol(text.c_str(), nullptr, 10);  // the first process: the main one
  }
  if (pid <= 0) {
    error = "no process";
    return false;
  }
  if (sh.pid != 0 && pid != sh.pid) ++sh.restarts;
  sh.pid = pid;
  const std::string dir = o.proc_root + "/" + std::to_string(pid);
  if (!readSmallFile(dir + "/status", text)) {
    error = "process " + std::to_string(pid) + " is gone";
    return false;
  }
  out.emplace_back("pid", JsonValue(static_cast<int64_t>(pid)));
  uint64_t v = 0;
  if (fieldValue(text, "VmRSS", v)) out.emplace_back("rss_bytes", JsonValue(v * 1024));
  if (fieldValue(text, "Threads", v)) out.emplace_back("threads", JsonValue(v));
  if (DIR* d = ::opendir((dir + "/fd").c_str())) {
    uint64_t n = 0;
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
    out.emplace_back("open_files", JsonValue(n));
  }
  // Field 22 of /proc/<pid>/stat is the start time in clock ticks after boot; the command
  // name (field 2) may hold spaces, so count from the last ')'.
  std::string uptime_text;
  if (readSmallFile(dir + "/stat", text) && readSmallFile(o.proc_root + "/uptime", uptime_text)) {
    const size_t paren = text.rfind(')');
    if (paren != std::string::npos) {
      std::istringstream in(text.substr(paren + 2));
      std::string field;
      uint64_t start_ticks = 0;
      for (int i = 3; in >> field; ++i) {
        if (i == 22) {
          start_ticks = std::strtoull(field.c_str(), nullptr, 10);
          break;
        }
      }
      const double boot_uptime = std::strtod(uptime_text.c_str(), nullptr);
      const long hz = ::sysconf(_SC_CLK_TCK);
      if (start_ticks > 0 && hz > 0) {
        const double up = boot_uptime - static_cast<double>(start_ticks) / static_cast<double>(hz);
        if (up >= 0) out.emplace_back("uptime_seconds", JsonValue(static_cast<int64_t>(up)));
      }
    }
  }
  out.emplace_back("restart_count", JsonValue(sh.restarts));
  return true;
}

void ProcessProvider::apply(ErrorRecord& r) {
  auto snap = sampler_.snapshot();
  if (!snap.value) {
    addContextError(r, name(), snap.error);
    return;
  }
  setField(r.context, "process", JsonValue(*snap.value));
}

}  // namespace homeo
