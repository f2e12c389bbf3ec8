#include "daemon/cli.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/timeutil.h"
#include "daemon/build_info.h"
#include "daemon/context/context_provider.h"
#include "daemon/daemon.h"
#include "daemon/exit_codes.h"
#include "daemon/logging.h"
#include "daemon/seen/seen_store.h"
#include "daemon/setup.h"
#include "daemon/state_report.h"
#include "daemon/tap/tap_client.h"
#include "daemon/tap/tap_filter.h"
#include "parsers/source_parser.h"
#include "tail/line_splitter.h"
#include "tail/path_glob.h"

namespace homeo {
namespace {

constexpr const char* kUsage =
    R"(homeostasisd: turns the errors in application logs into Homeostasis error records

Usage:
  homeostasisd run     --config FILE        the daemon, in the foreground (systemd runs this)
  homeostasisd check   --config FILE        validate a config, print what it would watch
  homeostasisd parse   [--config FILE] [--format NAME|auto] [--service NAME]
                       [--min-level LEVEL] [FILE|- ...]
                                            read files (or stdin) to the end, print one
                                            JSON record per line on stdout
  homeostasisd detect  FILE|DIR ...         print each file's detected format and confidence
  homeostasisd tap     --config FILE [--service S] [--level L] [--fingerprint F] [--count N]
                                            print the records of the running daemon as it
                                            batches them
  homeostasisd version                      the version, the commit and the libraries built with
  homeostasisd --help | <command> --help

Exit status: 0 success, 64 bad usage, 78 invalid configuration (FILE:LINE:COL: message on
stderr), 73 state directory cannot be created or written, 1 any other failure.
)";

constexpr const char* kRunHelp = R"(Usage: homeostasisd run --config FILE

Runs the daemon in the foreground: follows the configured inputs, ships error records to the
configured transports, keeps checkpoints in state_dir.
  --config FILE      the YAML configuration (required)

Signals:
  SIGTERM, SIGINT  flush batches, commit checkpoints, exit 0 (within drain_timeout_ms)
  SIGHUP           reload the config; an invalid new config is reported and the old one kept
Exit status: 0 after a drain, 64 bad usage, 78 invalid config, 73 state_dir not writable,
1 other failure.
)";

constexpr const char* kCheckHelp = R"(Usage: homeostasisd check --config FILE

Validates the config (every problem as FILE:LINE:COL: message on stderr) and prints the
inputs, the files each would follow now, the directories watched and the transports; then
what an earlier run left in state_dir: whether the checkpoint file is readable (and how many
files it tracks) and, per transport spool, the batches waiting, those failing their check and
those quarantined. It only reads: damaged state is reported, not moved, and does not change
what check exits with.
  --config FILE      the YAML configuration to check (required)

Exit status: 0 valid, 64 bad usage, 78 invalid config.
)";

constexpr const char* kParseHelp =
    R"(Usage: homeostasisd parse [--config FILE] [--format NAME|auto] [--service NAME]
                          [--min-level LEVEL] [FILE|- ...]

Reads each FILE (or stdin, for - or no FILE) to its end through the same detection,
multi-line assembly, parsing, context and scrubbing as the daemon, and prints one JSON
record per line on stdout. A summary (lines, records, formats, lines not parsed) goes to
stderr.
  --config FILE      service, min_level, parsers, context and scrubbing from this config
  --format NAME|auto read every FILE as this format instead of detecting it (default auto)
  --service NAME     the records' service (default: the config's, or 'unknown')
  --min-level LEVEL  DEBUG|INFO|WARNING|ERROR|CRITICAL (default: the config's, or ERROR)

A FILE that cannot be read (missing, unreadable, a directory) is reported on stderr and
skipped, and the exit status is 1; the other files are still read. A binary FILE (a NUL byte
in its first 8000 bytes: a compressed rotation, UTF-16, a core dump) is not a log: it is
skipped with a note on stderr. An empty FILE reads as 0 lines.

Exit status: 0 success, 1 a FILE could not be read, 64 bad usage, 78 invalid config.
)";

constexpr const char* kDetectHelp = R"(Usage: homeostasisd detect [--config FILE] FILE|DIR ...

Prints, for each FILE, the format auto-detection picks on its first lines and how sure it
is (the share of lines the format claims, 0.00 to 1.00), tab-separated, and "in cri",
"in docker" or "in compose" when the lines come in a container envelope (CRI, Docker's
json-file, docker compose's "service  | " prefix; the format is the wrapped one's).
  --config FILE      also consider the user-defined formats of its parsers section

A DIR stands for the regular files directly in it, by name (subdirectories are not entered).
An empty FILE has no lines to detect from yet: "none 0.00" (the daemon detects its format
once lines arrive). A binary FILE (a NUL byte in its first 8000 bytes: a compressed
rotation, UTF-16, a core dump) is not a log: it is skipped with a note on stderr. A FILE
that cannot be read, or a DIR without regular files, is reported on stderr and skipped, and
the exit status is 1; the other files are still detected.

Exit status: 0 success, 1 a FILE could not be read or a DIR has no files, 64 bad usage,
78 invalid config.
)";

constexpr const char* kTapHelp =
    R"(Usage: homeostasisd tap --config FILE [--service S] [--level L] [--fingerprint F]
                        [--count N]

Attaches to the daemon running with FILE's state_dir, through its socket state_dir/tap.sock
(owner only: run tap as the daemon's user, or root), and prints the records it batches from
then on, one JSON object per line on stdout, exactly as the transports get them (scrubbed).
Tapping changes nothing in delivery: a tap that reads too slowly misses records, and a
notice on stderr says how many. When the daemon reloads or restarts, tap reconnects (waiting
up to 10 s).
  --config FILE        the running daemon's configuration (required)
  --service S          only records of service S
  --level L            only records of level L or above (DEBUG|INFO|WARNING|ERROR|CRITICAL)
  --fingerprint F      only records with metadata.fingerprint F
  --count N            exit after N records (default: run until interrupted)

Exit status: 0 after N records or when stdout is closed, 1 no daemon answers (or it went
away for good), 64 bad usage, 78 invalid config.
)";

constexpr const char* kVersionHelp = R"(Usage: homeostasisd version
       homeostasisd --version

Prints 'homeostasisd VERSION' and, below it, what the binary was built from: the git commit
(with "-dirty" when the tree had changes), the build type and compiler, and the version of
each library it uses (the one loaded at run time where the library tells it).
Exit status: 0.
)";

// parse and detect read text: a NUL byte among a file's first bytes (where grep and git look
// for one too) makes it binary, which is skipped, as not a log, rather than a failure.
constexpr size_t kBinaryProbeBytes = 8000;

bool looksBinary(std::string_view head) {
  return head.substr(0, kBinaryProbeBytes).find('\0') != std::string_view::npos;
}

void reportBinary(const std::string& path) {
  std::fprintf(stderr, "homeostasisd: %s: binary (a NUL byte in its first %zu bytes), skipped\n",
               path.c_str(), kBinaryProbeBytes);
}

struct Args {
  std::string command;
  std::string config;
  std::string format = "auto";
  std::string service;
  std::string min_level;
  std::string level;        // tap
  std::string fingerprint;  // tap
  std::string count;        // tap
  bool help = false;
  std::vector<std::string> files;
};

int usageError(const std::string& msg) {
  std::fprintf(stderr, "homeostasisd: %s\nTry 'homeostasisd --help'.\n", msg.c_str());
  return kExitUsage;
}

// Parses `--name value` and `--name=value`; returns false with *error set on a bad option.
bool parseArgs(int argc, char** argv, Args& a, std::string* error) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      a.help = true;
      continue;
    }
    if (arg == "-" || arg.rfind("--", 0) != 0) {
      a.files.push_back(arg);
      continue;
    }
    if (arg == "--") {
      for (++i; i < argc; ++i) a.files.push_back(argv[i]);
      break;
    }
    std::string value;
    const size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      *error = "option " + name + " needs a value";
      return false;
    }
    if (name == "--config") {
      a.config = value;
    } else if (name == "--format" && a.command == "parse") {
      a.format = value;
    } else if (name == "--service" && (a.command == "parse" || a.command == "tap")) {
      a.service = value;
    } else if (name == "--min-level" && a.command == "parse") {
      a.min_level = value;
    } else if (name == "--level" && a.command == "tap") {
      a.level = value;
    } else if (name == "--fingerprint" && a.command == "tap") {
      a.fingerprint = value;
    } else if (name == "--count" && a.command == "tap") {
      a.count = value;
    } else {
      *error = "unknown option " + name + " for '" + a.command + "'";
      return false;
    }
  }
  return true;
}

// What `check` says of a journald input: the journal it opens and the units it keeps.
void printJournalInput(size_t number, const config::InputConfig& in) {
  std::printf("input %zu: journald, format %s, service %s, read_from %s\n", number,
              in.format.c_str(), in.service.c_str(),
              in.read_from == config::ReadFrom::kBeginning ? "beginning" : "end");
  std::printf("  journal %s\n",
              in.directory.empty() ? "(the system journal)" : in.directory.c_str());
  for (const auto& u : in.units) std::printf("  unit %s\n", u.c_str());
  if (in.units.empty()) std::printf("  (every unit)\n");
}

int cmdCheck(const Args& a) {
  if (a.config.empty()) return usageError("check needs --config FILE");
  if (!a.files.empty()) return usageError("check takes no files");
  const Registries reg = Registries::builtin();
  auto cfg = loadValidConfig(a.config, reg);
  if (!cfg) return kExitConfig;
  std::printf("%s: valid\n", a.config.c_str());
  std::printf("service: %s\nstate_dir: %s\nmin_level: %s\n", cfg->service.c_str(),
              cfg->state_dir.c_str(), std::string(levelName(cfg->min_level)).c_str());
  for (size_t i = 0; i < cfg->inputs.size(); ++i) {
    const auto& in = cfg->inputs[i];
    if (in.type == config::InputType::kJournald) {
      printJournalInput(i + 1, in);
      continue;
    }
    std::printf("input %zu: format %s, service %s, read_from %s\n", i + 1, in.format.c_str(),
                in.service.c_str(),
                in.read_from == config::ReadFrom::kBeginning ? "beginning" : "end");
    for (const auto& p : in.paths) std::printf("  path %s\n", p.c_str());
    for (const auto& d : watchDirectories(in.paths)) std::printf("  watch dir %s\n", d.c_str());
    const auto files = expandInputs(in);
    for (const auto& f : files) std::printf("  file %s\n", f.c_str());
    if (files.empty()) std::printf("  (no files match yet)\n");
  }
  std::vector<std::string> types;
  for (const auto& t : cfg->transports) {
    std::printf("transport: %s\n", t.type.c_str());
    types.push_back(t.type);
  }
  // What an earlier run left; damaged state is reported, not a reason to fail: the config is
  // valid, and run sets such files aside itself.
  std::fputs(formatStateReport(inspectState(cfg->state_dir, types)).c_str(), stdout);
  return kExitOk;
}

struct ParseSummary {
  uint64_t files = 0, lines = 0, records = 0, unmatched = 0, truncated = 0;
};

// Reads one file descriptor to its end through a SourceParser.
bool parseStream(int fd, const std::string& path, SourceInfo info, const ParserSet& parsers,
                 RecordPipeline& pipeline, SeenStore& seen, size_t max_line_bytes, std::string& out,
                 ParseSummary& sum) {
  std::string record_json;
  SourceParser sp(parsers, std::move(info), [&](ErrorRecord& r) {
    seen.mark(r, nowNanos() / 1000000);
    record_json.clear();
    pipeline.finish(r, record_json);
    out.append(record_json);
    out.push_back('\n');
    if (out.size() >= (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  });
  LineSplitter splitter(max_line_bytes);
  auto on_line = [&](std::string_view line, uint64_t off, uint64_t end, bool) {
    sp.addLine(line, off, end);
  };
  std::vector<char> buf(1 << 20);
  uint64_t offset = 0;
  bool ok = true;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "homeostasisd: %s: %s\n", path.c_str(), std::strerror(errno));
      ok = false;
      break;
    }
    if (n == 0) break;
    splitter.feed(std::string_view(buf.data(), static_cast<size_t>(n)), offset, on_line);
    offset += static_cast<uint64_t>(n);
  }
  splitter.finish(on_line);
  sp.flush();
  const auto& st = sp.stats();
  std::fprintf(stderr,
               "%s: %llu lines, %llu records, format %s (confidence %.2f), %llu not parsed%s\n",
               path.c_str(), static_cast<unsigned long long>(st.lines),
               static_cast<unsigned long long>(st.records),
               sp.format() ? std::string(sp.format()->name()).c_str() : "none", sp.confidence(),
               static_cast<unsigned long long>(st.unmatched),
               splitter.truncatedLines() ? ", long lines cut" : "");
  ++sum.files;
  sum.lines += st.lines;
  sum.records += st.records;
  sum.unmatched += st.unmatched;
  sum.truncated += splitter.truncatedLines();
  return ok;
}

int cmdParse(const Args& a) {
  const Registries reg = Registries::builtin();
  config::Config cfg;
  if (!a.config.empty()) {
    auto loaded = loadValidConfig(a.config, reg);
    if (!loaded) return kExitConfig;
    cfg = std::move(*loaded);
  }
  applyTimezone(cfg);
  Level min_level = cfg.min_level;
  if (!a.min_level.empty()) {
    auto l = parseLevel(a.min_level);
    if (!l)
      return usageError("unknown level '" + a.min_level + "' (DEBUG|INFO|WARNING|ERROR|CRITICAL)");
    min_level = *l;
  }
  std::vector<config::Diagnostic> diags;
  auto parsers = ParserSet::create(reg.parsers, cfg.parsers, diags);
  if (!parsers) {
    printDiagnostics(diags);
    return kExitConfig;
  }
  if (a.format != "auto" && !parsers->find(a.format)) {
    return usageError("unknown format '" + a.format + "'");
  }
  auto pipeline = makeRecordPipeline(cfg, reg, diags, a.files);
  if (!pipeline) {
    printDiagnostics(diags);
    return kExitConfig;
  }
  pipeline->start(/*periodic=*/false);
  // parse keeps no state: first seen means first in this run.
  SeenStore seen("", {});
  const std::string host = HostFacts::read().hostname;
  std::vector<std::string> files = a.files;
  if (files.empty()) files.push_back("-");
  std::string out;
  ParseSummary sum;
  int status = kExitOk;
  for (const auto& f : files) {
    SourceInfo info;
    info.format = a.format;
    info.service = a.service.empty() ? cfg.service : a.service;
    info.release = cfg.release;
    info.environment = cfg.environment;
    info.in_app = cfg.in_app;
    info.min_level = min_level;
    info.host = host;
    int fd = 0;
    if (f == "-") {
      info.path = "-";
    } else {
      fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        std::fprintf(stderr, "homeostasisd: %s: %s\n", f.c_str(), std::strerror(errno));
        status = kExitFailure;
        continue;
      }
      struct stat st {};
      if (::fstat(fd, &st) == 0) {
        info.key = fileKey(st.st_dev, st.st_ino);
        if (S_ISDIR(st.st_mode)) {
          std::fprintf(stderr, "homeostasisd: %s: is a directory\n", f.c_str());
          ::close(fd);
          status = kExitFailure;
          continue;
        }
        // Only a regular file can be looked at before it is read; a pipe is read as it comes.
        if (S_ISREG(st.st_mode)) {
          char head[kBinaryProbeBytes];
          const ssize_t n = ::pread(fd, head, sizeof head, 0);
          if (n > 0 && looksBinary(std::string_view(head, static_cast<size_t>(n)))) {
            reportBinary(f);
            ::close(fd);
            continue;
          }
        }
      }
      info.path = f;
    }
    if (!parseStream(fd, f, std::move(info), *parsers, *pipeline, seen, cfg.max_line_bytes, out,
                     sum))
      status = kExitFailure;
    if (fd != 0) ::close(fd);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (sum.files > 1) {
    std::fprintf(stderr, "total: %llu files, %llu lines, %llu records, %llu not parsed\n",
                 static_cast<unsigned long long>(sum.files),
                 static_cast<unsigned long long>(sum.lines),
                 static_cast<unsigned long long>(sum.records),
                 static_cast<unsigned long long>(sum.unmatched));
  }
  return status;
}

// The files `detect` reads for one argument: the argument itself or, for a directory, the
// regular files directly in it, sorted by name. False (reported) for a directory that cannot
// be listed or holds no regular file.
bool detectArgumentFiles(const std::string& arg, std::vector<std::string>& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (arg == "-" || !fs::is_directory(arg, ec)) {
    out.push_back(arg);  // opening it reports what is wrong with it
    return true;
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) files.push_back(it->path().string());
  }
  if (ec) {
    std::fprintf(stderr, "homeostasisd: %s: %s\n", arg.c_str(), ec.message().c_str());
    return false;
  }
  if (files.empty()) {
    std::fprintf(stderr, "homeostasisd: %s: a directory without regular files\n", arg.c_str());
    return false;
  }
  std::sort(files.begin(), files.end());
  out.insert(out.end(), files.begin(), files.end());
  return true;
}

// Reads up to `max` bytes from the start of fd into `data`; false with errno set on an error.
bool readHead(int fd, size_t max, std::string& data) {
  data.resize(max);
  size_t got = 0;
  while (got < max) {
    const ssize_t n = ::read(fd, data.data() + got, max - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return true;
}

int cmdDetect(const Args& a) {
  if (a.files.empty()) return usageError("detect needs at least one FILE or DIR");
  const Registries reg = Registries::builtin();
  std::vector<config::Diagnostic> diags;
  config::Config cfg;
  if (!a.config.empty()) {
    auto loaded = loadValidConfig(a.config, reg);
    if (!loaded) return kExitConfig;
    cfg = std::move(*loaded);
  }
  auto parsers = ParserSet::create(reg.parsers, cfg.parsers, diags);
  if (!parsers) {
    printDiagnostics(diags);
    return kExitConfig;
  }
  int status = kExitOk;
  std::vector<std::string> files;
  for (const auto& arg : a.files) {
    if (!detectArgumentFiles(arg, files)) status = kExitFailure;
  }
  std::string data;
  for (const auto& f : files) {
    const int fd = f == "-" ? 0 : ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::fprintf(stderr, "homeostasisd: %s: %s\n", f.c_str(), std::strerror(errno));
      status = kExitFailure;
      continue;
    }
    const bool read_ok = readHead(fd, 256 * 1024, data);
    const int read_errno = errno;
    if (fd != 0) ::close(fd);
    if (!read_ok) {
      std::fprintf(stderr, "homeostasisd: %s: %s\n", f.c_str(), std::strerror(read_errno));
      status = kExitFailure;
      continue;
    }
    if (looksBinary(data)) {
      reportBinary(f);
      continue;
    }
    if (data.empty()) {
      std::printf("%s\tnone\t0.00\n", f.c_str());
      continue;
    }
    std::vector<std::string_view> lines;
    LineSplitter splitter(data.size() + 1);
    splitter.feed(data, 0, [&](std::string_view line, uint64_t, uint64_t, bool) {
      if (lines.size() < SourceParser::kDetectLines) lines.push_back(line);
    });
    const Detection d = detectFormat(*parsers, lines);
    // A container envelope (CRI, Docker json-file) is named after the format it wraps.
    std::printf("%s\t%s\t%.2f%s%s\n", f.c_str(), std::string(d.parser->name()).c_str(),
                d.confidence, d.container.empty() ? "" : "\tin ", std::string(d.container).c_str());
  }
  return status;
}

int cmdTap(const Args& a) {
  if (a.config.empty()) return usageError("tap needs --config FILE");
  if (!a.files.empty()) return usageError("tap takes no files");
  TapFilter filter;
  filter.service = a.service;
  filter.fingerprint = a.fingerprint;
  if (!a.level.empty()) {
    filter.min_level = parseLevel(a.level);
    if (!filter.min_level) return usageError("unknown level '" + a.level + "'");
  }
  std::string error;
  if (!filter.valid(&error)) return usageError(error);
  uint64_t count = 0;
  if (!a.count.empty()) {
    char* end = nullptr;
    errno = 0;
    count = std::strtoull(a.count.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || count == 0 || a.count[0] == '-') {
      return usageError("--count needs a positive number, not '" + a.count + "'");
    }
  }
  const Registries reg = Registries::builtin();
  auto cfg = loadValidConfig(a.config, reg);
  if (!cfg) return kExitConfig;
  return runTap(cfg->state_dir + "/tap.sock", filter, count);
}

int cmdRun(const Args& a) {
  if (a.config.empty()) return usageError("run needs --config FILE");
  if (!a.files.empty()) return usageError("run takes no files");
  return runDaemon(a.config);
}

}  // namespace

int runCli(int argc, char** argv) {
  // A reader that went away is an EPIPE for the transport to count, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  setupLogging();
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  Args a;
  a.command = argv[1];
  if (a.command == "--help" || a.command == "-h" || a.command == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (a.command == "version" || a.command == "--version") {
    if (argc > 2 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
      std::fputs(kVersionHelp, stdout);
      return kExitOk;
    }
    if (argc > 2) return usageError("version takes no arguments");
    std::fputs(buildDescription().c_str(), stdout);
    return kExitOk;
  }
  const char* help = nullptr;
  if (a.command == "run") {
    help = kRunHelp;
  } else if (a.command == "check") {
    help = kCheckHelp;
  } else if (a.command == "parse") {
    help = kParseHelp;
  } else if (a.command == "detect") {
    help = kDetectHelp;
  } else if (a.command == "tap") {
    help = kTapHelp;
  } else {
    return usageError("unknown command '" + a.command + "'");
  }
  std::string error;
  if (!parseArgs(argc, argv, a, &error)) return usageError(error);
  if (a.help) {
    std::fputs(help, stdout);
    return kExitOk;
  }
  if (a.command == "run") return cmdRun(a);
  if (a.command == "check") return cmdCheck(a);
  if (a.command == "parse") return cmdParse(a);
  if (a.command == "tap") return cmdTap(a);
  return cmdDetect(a);
}

}  // namespace homeo
