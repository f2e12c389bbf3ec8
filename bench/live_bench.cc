// homeo_live_bench: the write-to-delivery latency of error records while the daemon follows
// files being written (bench/run.sh with BENCH_MODE=live).
//
//   homeo_live_bench --bin PATH --dir DIR [--rate LINES_PER_S] [--seconds N] [--files N]
//                    [--max-wait-ms MS]
//
// Starts `PATH run` on a config of its own in DIR (the files DIR/logs/*.log, the stdout
// transport, batch.max_wait_ms MS), then writes --rate lines a second (1% of them errors)
// into --files Python logging files, in slices every 10 ms, for --seconds. Each error line
// carries the time it was written; a reader thread takes the records off the daemon's stdout
// and measures how long after its write each arrived. Prints the records delivered, the
// latency's p50, p99 and max beside the target (p99 <= max_wait_ms + 100 ms) and the daemon's
// CPU per second of writing; exits 1 when a record is missing or the daemon fails.

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

int64_t realtimeNanos() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int64_t monotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// utime + stime of a process, in seconds; negative when it cannot be read.
double cpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  // Fields after the command: state is the 3rd of /proc/PID/stat, utime the 14th, stime 15th.
  std::vector<std::string_view> fields;
  std::string_view rest(stat.data() + paren + 2, stat.size() - paren - 2);
  while (!rest.empty() && fields.size() < 13) {
    const size_t sp = rest.find(' ');
    fields.push_back(rest.substr(0, sp));
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  if (fields.size() < 13) return -1;
  uint64_t utime = 0, stime = 0;
  std::from_chars(fields[11].data(), fields[11].data() + fields[11].size(), utime);
  std::from_chars(fields[12].data(), fields[12].data() + fields[12].size(), stime);
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

bool writeAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

struct Options {
  std::string bin;
  std::string dir;
  uint64_t rate = 50000;
  uint64_t seconds = 10;
  uint64_t files = 4;
  uint64_t max_wait_ms = 1000;
};

[[noreturn]] void usage(int status) {
  std::fprintf(status == 0 ? stdout : stderr,
               "usage: homeo_live_bench --bin PATH --dir DIR [--rate LINES_PER_S] "
               "[--seconds N] [--files N] [--max-wait-ms MS]\n");
  std::exit(status);
}

// Reads the daemon's records off `fd` and keeps each probe's latency.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~Reader() {
    if (thread_.joinable()) thread_.join();
  }

  void join() { thread_.join(); }
  size_t received() const { return received_.load(); }
  std::vector<int64_t> latencies() {
    std::lock_guard<std::mutex> lock(mu_);
    return latencies_;
  }

 private:
  void run() {
    std::string buf;
    char chunk[1 << 16];
    while (true) {
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      const int64_t now = realtimeNanos();
      buf.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', start)) {
        take(std::string_view(buf).substr(start, nl - start), now);
        start = nl + 1;
      }
      buf.erase(0, start);
    }
  }

  void take(std::string_view record, int64_t now) {
    static constexpr std::string_view kProbe = "live probe t=";
    const size_t at = record.find(kProbe);
    if (at == std::string_view::npos) return;
    int64_t written = 0;
    const char* p = record.data() + at + kProbe.size();
    std::from_chars(p, record.data() + record.size(), written);
    std::lock_guard<std::mutex> lock(mu_);
    latencies_.push_back(now - written);
    received_.fetch_add(1);
  }

  int fd_;
  std::mutex mu_;
  std::vector<int64_t> latencies_;
  std::atomic<size_t> received_{0};
  std::thread thread_;
};

int64_t percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t i = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) usage(64);
      return argv[++i];
    };
    auto number = [&](uint64_t& out) {
      const std::string_view v = value();
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      if (ec != std::errc() || end != v.data() + v.size() || out == 0) usage(64);
    };
    if (arg == "--bin") {
      o.bin = value();
    } else if (arg == "--dir") {
      o.dir = value();
    } else if (arg == "--rate") {
      number(o.rate);
    } else if (arg == "--seconds") {
      number(o.seconds);
    } else if (arg == "--files") {
      number(o.files);
    } else if (arg == "--max-wait-ms") {
      number(o.max_wait_ms);
    } else if (arg == "--help" || arg == "-h") {
      usage(0);
    } else {
      usage(64);
    }
  }
  if (o.bin.empty() || o.dir.empty()) usage(64);

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(o.dir) / "logs", ec);
  fs::create_directories(fs::path(o.dir) / "state", ec);
  std::vector<int> fds;
  for (uint64_t f = 0; f < o.files; ++f) {
    const std::string path = o.dir + "/logs/app" + std::to_string(f) + ".log";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::perror(path.c_str());
      return 1;
    }
    fds.push_back(fd);
  }
  const std::string config = o.dir + "/config.yaml";
  {
    std::ofstream c(config);
    c << "service: live\n"
      << "state_dir: \"" << o.dir << "/state\"\n"
      << "min_level: ERROR\n"
      << "inputs:\n"
      << "  - paths: [\"" << o.dir << "/logs/*.log\"]\n"
      << "    format: auto\n"
      << "    read_from: beginning\n"
      << "batch:\n"
      << "  max_wait_ms: " << o.max_wait_ms << "\n"
      << "throttle:\n"
      << "  enabled: false\n"
      << "transports:\n"
      << "  - type: stdout\n"
      << "metrics:\n"
      << "  enabled: false\n";
  }

  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    std::perror("pipe");
    return 1;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    return 1;
  }
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    const std::string err = o.dir + "/daemon.stderr";
    const int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (efd >= 0) ::dup2(efd, 2);
    ::execl(o.bin.c_str(), o.bin.c_str(), "run", "--config", config.c_str(),
            static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(out_pipe[1]);
  Reader reader(out_pipe[0]);
  // Let the daemon start and find the (empty) files before the clock starts.
  ::usleep(1'000'000);

  // 10 ms slices; every 100th line of a file is an ERROR carrying its write time.
  const uint64_t slices = o.seconds * 100;
  const uint64_t per_slice = std::max<uint64_t>(1, o.rate / 100 / o.files);
  uint64_t errors = 0, lines = 0;
  std::string chunk;
  const double cpu0 = cpuSeconds(pid);
  const int64_t t0 = monotonicNanos();
  for (uint64_t s = 0; s < slices; ++s) {
    const int64_t now = realtimeNanos();
    // The slice's lines share its time: "2024-03-11 19:45:10,123".
    const int64_t ms = now / 1'000'000;
    const time_t secs = static_cast<time_t>(ms / 1000);
    tm tm_utc;
    gmtime_r(&secs, &tm_utc);
    char head[64];
    size_t head_len = std::strftime(head, sizeof head, "%Y-%m-%d %H:%M:%S", &tm_utc);
    head_len += static_cast<size_t>(std::snprintf(head + head_len, sizeof head - head_len, ",%03d",
                                                  static_cast<int>(ms % 1000)));
    for (uint64_t f = 0; f < o.files; ++f) {
      chunk.clear();
      for (uint64_t k = 0; k < per_slice; ++k, ++lines) {
        chunk.append(head, head_len);
        if (lines % 100 == 99) {
          ++errors;
          chunk.append(" - app.live - ERROR - live probe t=");
          chunk.append(std::to_string(now));
          chunk.append(" seq=");
          chunk.append(std::to_string(errors));
        } else {
          chunk.append(" - app.live - INFO - request ");
          chunk.append(std::to_string(lines));
          chunk.append(" served in 12 ms");
        }
        chunk.push_back('\n');
      }
      if (!writeAll(fds[f], chunk)) {
        std::perror("write");
        ::kill(pid, SIGKILL);
        return 1;
      }
    }
    const int64_t next = t0 + static_cast<int64_t>(s + 1) * 10'000'000;
    const int64_t wait = next - monotonicNanos();
    if (wait > 0) {
      timespec ts{static_cast<time_t>(wait / 1'000'000'000),
                  static_cast<long>(wait % 1'000'000'000)};
      nanosleep(&ts, nullptr);
    }
  }
  const int64_t t1 = monotonicNanos();
  const double cpu1 = cpuSeconds(pid);
  // The last records: at most max_wait_ms and a second more.
  const int64_t deadline =
      monotonicNanos() + static_cast<int64_t>(o.max_wait_ms + 3000) * 1'000'000;
  while (reader.received() < errors && monotonicNanos() < deadline) ::usleep(20'000);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  reader.join();
  for (int fd : fds) ::close(fd);

  std::vector<int64_t> lat = reader.latencies();
  std::sort(lat.begin(), lat.end());
  const double elapsed = static_cast<double>(t1 - t0) / 1e9;
  const double ms = 1e6;
  const double p99 = static_cast<double>(percentile(lat, 0.99)) / ms;
  const double target = static_cast<double>(o.max_wait_ms) + 100;
  std::printf(
      "live: %.0f lines/s into %llu files for %.1f s (%llu lines, %llu error records), "
      "batch.max_wait_ms %llu\n",
      static_cast<double>(lines) / elapsed, static_cast<unsigned long long>(o.files), elapsed,
      static_cast<unsigned long long>(lines), static_cast<unsigned long long>(errors),
      static_cast<unsigned long long>(o.max_wait_ms));
  std::printf(
      "live: %zu of %llu records delivered; write-to-delivery latency p50 %.0f ms, "
      "p99 %.0f ms, max %.0f ms (target p99 <= %.0f ms: %s)\n",
      lat.size(), static_cast<unsigned long long>(errors),
      static_cast<double>(percentile(lat, 0.5)) / ms, p99,
      lat.empty() ? 0.0 : static_cast<double>(lat.back()) / ms, target,
      p99 <= target ? "met" : "not yet");
  if (cpu0 >= 0 && cpu1 >= 0) {
    std::printf("live: daemon CPU %.3f s per second of writing (%.1f%% of a core)\n",
                (cpu1 - cpu0) / elapsed, (cpu1 - cpu0) / elapsed * 100);
  }
  const bool exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!exited_ok) std::fprintf(stderr, "live: the daemon did not exit 0 on SIGTERM\n");
  if (lat.size() != errors) std::fprintf(stderr, "live: records missing\n");
  return exited_ok && lat.size() == errors ? 0 : 1;
}
