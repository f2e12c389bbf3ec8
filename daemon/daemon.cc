#include "daemon/daemon.h"

#include <fcntl.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "daemon/exit_codes.h"
#include "daemon/metrics_server.h"
#include "daemon/prometheus.h"
#include "daemon/setup.h"
#include "parsers/source_parser.h"
#include "tail/checkpoint_tracker.h"
#include "tail/file_id.h"
#include "tail/file_identity.h"
#include "tail/inotify_watcher.h"
#include "tail/line_splitter.h"
#include "tail/path_glob.h"
#include "tail/start_position.h"
#include "transports/batcher.h"
#include "transports/dispatcher.h"
#include "transports/file/file_transport.h"

namespace homeo {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 256 * 1024;
constexpr auto kTick = std::chrono::milliseconds(100);
constexpr auto kRescanEvery = std::chrono::seconds(10);
// A new file is opened once its size held still for kSettleLook, or after kSettleMax.
constexpr auto kSettleLook = std::chrono::milliseconds(50);
constexpr auto kSettleMax = std::chrono::milliseconds(400);
constexpr auto kSettleMaxCopy = std::chrono::seconds(5);
// How often files and directories are polled where inotify cannot watch them.
constexpr auto kPollEvery = std::chrono::milliseconds(500);
// Time spent in one pump turn before other handlers (signals, acks, inotify) get their go.
constexpr auto kPumpSlice = std::chrono::milliseconds(20);

// One followed file: its descriptor, read position, line splitter, parser, and the offsets
// waiting for acknowledgement before they may be checkpointed.
struct Follower {
  FileId id;
  std::string path;
  const config::InputConfig* input = nullptr;
  int fd = -1;  // -1 while closed for being idle
  uint64_t read_offset = 0;
  Fingerprint fp;  // of the content being read
  // After a copytruncate: the copy is read to its end first (fd), then the truncated
  // original (resume_fd) from its start.
  int resume_fd = -1;
  std::string copy_path;
  // What was read of the content before the last truncation, so a copy of it found later
  // starts where reading stopped.
  Fingerprint old_fp;
  uint64_t old_offset = 0;
  LineSplitter splitter;
  std::unique_ptr<SourceParser> parser;
  Clock::time_point last_data = Clock::now();
  Clock::time_point gone_since{};
  bool gone = false;    // no longer at any path of its input
  bool queued = false;  // in the ready queue
  bool verify = true;   // check size and fingerprint before the next read
  // A copy of this file took over its old content (copytruncate in progress): nothing more is
  // read until the truncation shows, or rotate_wait_ms has passed without one.
  bool handed_over = false;
  Clock::time_point handed_over_since{};

  explicit Follower(size_t max_line) : splitter(max_line) {}
  ~Follower() {
    if (fd >= 0) ::close(fd);
    if (resume_fd >= 0) ::close(resume_fd);
  }
};

class Daemon {
 public:
  Daemon(asio::io_context& io, config::Config cfg, const Registries& reg)
      : io_(io),
        cfg_(std::move(cfg)),
        reg_(reg),
        tracker_(io.get_executor(), cfg_.state_dir),
        watcher_(io.get_executor(),
                 [this](InotifyWatcher::Change c, const std::string& p) { onChange(c, p); }),
        tick_(io),
        rescan_timer_(io) {}

  // Sets everything up; returns an exit status other than kExitOk on failure.
  int start() {
    std::vector<config::Diagnostic> diags;
    parsers_ = ParserSet::create(reg_.parsers, cfg_.parsers, diags);
    if (!parsers_) {
      printDiagnostics(diags);
      return kExitConfig;
    }
    std::vector<std::unique_ptr<Transport>> transports;
    TransportContext tctx{io_.get_executor(), cfg_.state_dir};
    for (const auto& t : cfg_.transports) {
      const auto* f = reg_.transports.find(t.type);
      auto tr = f ? f->create(tctx, t, diags) : nullptr;
      if (!tr) {
        printDiagnostics(diags);
        return kExitConfig;
      }
      transports.push_back(std::move(tr));
    }
    DispatcherOptions dopts;
    dopts.spool_dir = cfg_.state_dir + "/spool";
    dispatcher_ = std::make_unique<Dispatcher>(io_.get_executor(), std::move(transports), dopts);
    dispatcher_->setDeadLetter(std::make_unique<FileTransport>(
        io_.get_executor(), cfg_.state_dir + "/dead-letter.jsonl", /*fsync=*/true));
    dispatcher_->onAcked([this](uint64_t seq) { onAcked(seq); });
    dispatcher_->setSendGate([this](uint64_t seq) { return seq <= tracker_.sendableThrough(); });
    tracker_.onGateMoved([this](uint64_t) { dispatcher_->gateOpened(); });
    dispatcher_->onSaturation([this](bool saturated) {
      if (!saturated) schedulePump();
    });
    batcher_ = std::make_unique<Batcher>(io_.get_executor(), cfg_.batch,
                                         [this](std::shared_ptr<const Batch> b) {
                                           sealed_at_.emplace_back(b->seq, Clock::now());
                                           dispatcher_->dispatch(std::move(b));
                                         });
    pipeline_ = makeRecordPipeline(cfg_, reg_, diags);
    if (!pipeline_) {
      printDiagnostics(diags);
      return kExitConfig;
    }
    pipeline_->start(/*periodic=*/true);
    host_ = HostFacts::read().hostname;

    std::string error;
    if (!tracker_.load(&error)) spdlog::error("{}", error);

    if (!watcher_.ok()) {
      spdlog::warn("inotify is not available; files are polled every {} ms", kPollEvery.count());
    }
    for (const auto& in : cfg_.inputs) {
      if (in.poll) {
        spdlog::info("{} polled every {} ms (watch: poll)", fmt::join(in.paths, ", "),
                     kPollEvery.count());
      }
    }
    watchDirectories();
    watcher_.start();
    rescan(/*initial=*/true);
    tickLater();
    rescanLater();
    if (cfg_.metrics.enabled) {
      metrics_ = std::make_unique<MetricsServer>(
          io_.get_executor(), [this](std::string_view target) { return serveHttp(target); });
      if (metrics_->listen(cfg_.metrics.listen, &error)) {
        spdlog::info("metrics on http://{}/metrics (port {})", cfg_.metrics.listen,
                     metrics_->port());
      } else {
        spdlog::error("{}; running without the metrics endpoint", error);
        metrics_.reset();
      }
    }
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
      watchdog_every_ = std::chrono::microseconds(watchdog_usec / 2);
      watchdogLater();
    }
    spdlog::info("following {} files of {} inputs", followers_.size(), cfg_.inputs.size());
    return kExitOk;
  }

  // One line for systemd's STATUS=.
  std::string statusLine() {
    const auto now = Clock::now();
    const double secs = std::chrono::duration<double>(now - status_at_).count();
    const double rate = secs > 0 ? static_cast<double>(records_total_ - status_records_) / secs : 0;
    status_at_ = now;
    status_records_ = records_total_;
    char buf[160];
    std::snprintf(buf, sizeof buf, "following %zu files, %.1f records/s, %llu records sent",
                  followers_.size(), rate, static_cast<unsigned long long>(records_total_));
    return buf;
  }

  size_t fileCount() const { return followers_.size(); }

  // Stops reading, completes open events, flushes the last batch, waits for the transports
  // (up to drain_timeout_ms), commits checkpoints, then calls done.
  void drain(std::function<void(bool)> done) {
    if (draining_) return;
    draining_ = true;
    watcher_.stop();
    tick_.cancel();
    rescan_timer_.cancel();
    settle_timer_.cancel();
    watchdog_timer_.cancel();
    for (auto& [id, f] : followers_) {
      f->parser->flush();
      mark(*f);
    }
    batcher_->flush();
    tracker_.openGate();  // on drain every batch goes at once
    dispatcher_->drain(std::chrono::milliseconds(cfg_.drain_timeout_ms),
                       [this, done = std::move(done)](bool all) {
                         if (metrics_) metrics_->stop();
                         tracker_.commit();
                         if (!all) {
                           spdlog::warn(
                               "drain timed out: {} batches not acknowledged; they are "
                               "read again at the next start",
                               dispatcher_->queuedBatches());
                         }
                         dispatcher_->stop();
                         done(all);
                       });
  }

 private:
  // Watches the input directories inotify can watch (not those of `watch: poll` inputs); the
  // others are polled. Directories that cannot be watched (missing, or past the watch limit)
  // are tried again at each rescan and make one warning per rescan that finds new ones.
  void watchDirectories() {
    if (!watcher_.ok()) return;  // everything is polled; said at start
    std::string first_error;
    size_t failed = 0;
    for (const auto& in : cfg_.inputs) {
      if (in.poll) continue;
      for (const auto& dir : homeo::watchDirectories(in.paths)) {
        std::string error;
        if (watched_.count(dir)) continue;
        if (watcher_.watch(dir, &error)) {
          watched_.insert(dir);
        } else if (warned_dirs_.insert(dir).second) {
          if (failed++ == 0) first_error = error;
        }
      }
    }
    if (failed == 0) return;
    spdlog::warn(
        "{}{}; polled every {} ms and watched again when possible (checked every {} s)",
        first_error, failed > 1 ? fmt::format(" (and {} more directories)", failed - 1) : "",
        kPollEvery.count(), std::chrono::duration_cast<std::chrono::seconds>(kRescanEvery).count());
  }

  void onChange(InotifyWatcher::Change change, const std::string& path) {
    if (draining_) return;
    if (change == InotifyWatcher::Change::kModified) {
      auto it = by_path_.find(path);
      if (it != by_path_.end()) {
        it->second->verify = true;
        enqueue(*it->second);
        return;
      }
    }
    if (change == InotifyWatcher::Change::kOverflow)
      spdlog::warn("inotify queue overflow; rescanning");
    scheduleRescan();
  }

  void scheduleRescan() {
    if (rescan_posted_) return;
    rescan_posted_ = true;
    asio::post(io_, [this] {
      rescan_posted_ = false;
      if (!draining_) rescan(false);
    });
  }

  // Matches the inputs' globs against the file system: new files get a follower, renamed ones
  // keep theirs, ones that left their name are read to the end and closed later.
  void rescan(bool initial) {
    std::set<FileId> seen;
    by_path_.clear();
    for (const auto& in : cfg_.inputs) {
      for (const auto& path : expandInputs(in)) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) continue;
        const FileId id{st.st_dev, st.st_ino};
        if (seen.count(id)) continue;
        seen.insert(id);
        auto it = followers_.find(id);
        Follower* f = nullptr;
        if (it == followers_.end()) {
          bool found_at_start = initial;
          uint64_t size_when_found = static_cast<uint64_t>(st.st_size);
          if (!settled(path, id, st, found_at_start, size_when_found)) continue;
          f = open(in, path, id, st, found_at_start, size_when_found);
          if (!f) continue;
        } else {
          f = it->second.get();
          if (f->path != path) spdlog::info("{} is now {} (inode {})", f->path, path, f->id.ino);
          f->path = path;
          tracker_.moved(f->id, path);
          f->gone = false;
        }
        by_path_[path] = f;
        f->verify = true;
        enqueue(*f);
      }
    }
    const auto now = Clock::now();
    for (auto& [id, f] : followers_) {
      if (seen.count(id)) continue;
      if (!f->gone) {
        f->gone = true;
        f->gone_since = now;
      }
      enqueue(*f);
    }
    if (initial) resumeRotatedWhileDown(seen);
  }

  // A file that appears while running is opened once its size held still between two looks
  // (or after kSettleMax): a copy logrotate is still writing must be whole before its first
  // bytes can tell whose copy it is.
  // `initial` says whether the file was found by the first scan; a file that settles later
  // keeps that (read_from applies to it).
  bool settled(const std::string& path, FileId id, const struct stat& st, bool& initial,
               uint64_t& first_size) {
    const auto now = Clock::now();
    const auto mtime = std::chrono::system_clock::from_time_t(st.st_mtime);
    if (initial && std::chrono::system_clock::now() - mtime > std::chrono::seconds(2)) {
      return true;  // untouched for a while: nobody is writing it
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    auto [it, fresh] = settling_.try_emplace(id, Settling{size, now, initial, size});
    // A copy is whole when its size held still, and it is at least a fingerprint long (or
    // it is a small file that simply stays small).
    const auto waited = now - it->second.since;
    bool ready =
        !fresh && ((it->second.size == size && size >= kFingerprintBytes) || waited >= kSettleMax);
    // A copy is also not whole while it is shorter than what was read of the content it copies
    // (logrotate may stall between two looks on a busy host); that wait has a longer bound.
    if (ready && waited < kSettleMaxCopy && copyIncomplete(path, size)) ready = false;
    if (ready) {
      initial = it->second.initial;
      first_size = it->second.first_size;
      settling_.erase(it);
      return true;
    }
    it->second.size = size;
    rescanSoon();
    return false;
  }

  // Whether `path` starts like a followed file (or what one held before its truncation) but is
  // shorter than what was read of it: a copy still being written.
  bool copyIncomplete(const std::string& path, uint64_t size) const {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    const Fingerprint fp = readFingerprint(fd).value_or(Fingerprint{});
    ::close(fd);
    if (fp.len < kMinCopyFingerprintBytes) return false;
    for (const auto& [id, f] : followers_) {
      if (f->fp == fp && f->parser->safeOffset() > size) return true;
      if (f->old_fp == fp && f->old_offset > size) return true;
    }
    return false;
  }

  void rescanSoon() {
    if (settle_timer_armed_) return;
    settle_timer_armed_ = true;
    settle_timer_.expires_after(kSettleLook);
    settle_timer_.async_wait([this](const boost::system::error_code& ec) {
      settle_timer_armed_ = false;
      if (!ec && !draining_) rescan(false);
    });
  }

  // Files read before a stop that were rotated to a name the globs do not match while the
  // daemon was down: found by inode beside their old name and read to their end.
  void resumeRotatedWhileDown(const std::set<FileId>& seen) {
    std::vector<Checkpoint> missing;
    for (const auto& [key, cp] : tracker_.store().all()) {
      if (!seen.count(FileId{key.first, key.second})) missing.push_back(cp);
    }
    for (const auto& cp : missing) {
      const auto path = findByInode(dirName(cp.path), cp.dev, cp.ino);
      if (!path) {
        tracker_.erase({cp.dev, cp.ino});  // gone for good
        continue;
      }
      const config::InputConfig* in = inputFor(cp.path);
      struct stat st {};
      if (!in || ::stat(path->c_str(), &st) != 0 || static_cast<uint64_t>(st.st_size) <= cp.offset)
        continue;
      Follower* f = open(*in, *path, {cp.dev, cp.ino}, st, false);
      if (!f) continue;
      spdlog::info("{} was rotated to {} while stopped; reading its rest", cp.path, *path);
      f->gone = true;
      f->gone_since = Clock::now();
      enqueue(*f);
    }
  }

  const config::InputConfig* inputFor(const std::string& path) const {
    for (const auto& in : cfg_.inputs) {
      if (inputMatches(in, path)) return &in;
    }
    return nullptr;
  }

  // Where to start reading a file not followed yet (decideStart), and what that decision asks
  // of the other followers and the checkpoints.
  uint64_t startOffset(const config::InputConfig& in, const std::string& path, FileId id, int fd,
                       uint64_t size, const Fingerprint& fp, bool initial, uint64_t size_at_start,
                       Fingerprint& previous_fp, uint64_t& previous_offset) {
    NewFile file;
    file.id = id;
    file.path = path;
    file.size = size;
    file.fp = fp;
    if (auto cp = tracker_.store().find(id.dev, id.ino)) {
      file.matches_checkpoint = fingerprintMatches(fd, {cp->fp_len, cp->fp_hash});
    }
    file.read_from_end = initial && in.read_from == config::ReadFrom::kEnd;
    file.size_at_start = size_at_start;
    std::vector<FollowedFile> followed;
    followed.reserve(followers_.size());
    for (const auto& [fid, f] : followers_) {
      followed.push_back(
          {fid, f->path, f->fp, f->parser->safeOffset(), f->gone, f->old_fp, f->old_offset});
    }
    const StartDecision d = decideStart(file, tracker_.store(), followed, orphans_);
    if (!d.note.empty()) spdlog::info("{}", d.note);
    if (d.replaced) {
      orphans_.push_back(*d.replaced);
      tracker_.erase(id);
      resumeCopy(*d.replaced, id.ino);
    }
    if (d.handover_from) {
      // The copy takes over from there: the original must not turn the same lines into
      // records again. It drops what it holds past that point and waits for its truncation.
      Follower& f = *followers_.at(*d.handover_from);
      f.parser->abandonAt(d.handover_at);
      f.splitter.reset(d.handover_at);
      f.read_offset = d.handover_at;
      f.handed_over = true;
      f.handed_over_since = Clock::now();
    }
    previous_fp = d.previous_fp;
    previous_offset = d.previous_offset;
    return d.offset;
  }

  // Reads the rest of a truncated file's old content from its copy, when one lies beside it
  // under a name the globs do not match (they would have found it themselves).
  void resumeCopy(const Checkpoint& cp, uint64_t except_ino) {
    const auto copy = findCopy(dirName(cp.path), {cp.fp_len, cp.fp_hash}, cp.offset, except_ino);
    if (!copy || inputFor(*copy)) return;
    const config::InputConfig* in = inputFor(cp.path);
    struct stat st {};
    if (!in || ::stat(copy->c_str(), &st) != 0) return;
    const FileId cid{st.st_dev, st.st_ino};
    if (followers_.count(cid)) return;
    Follower* f = open(*in, *copy, cid, st, false);
    if (!f) return;
    f->gone = true;
    f->gone_since = Clock::now();
    enqueue(*f);
  }

  // ignore_older_ms: a file untouched that long with nothing unread is not opened. One never
  // read is skipped as it is: a checkpoint at its end is kept, so that if it is written to
  // later (or after a restart) only the new lines are read.
  bool skipOld(const config::InputConfig& in, const std::string& path, FileId id,
               const struct stat& st) {
    const auto age =
        std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(st.st_mtime);
    if (age <= std::chrono::milliseconds(in.ignore_older_ms)) return false;
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const auto cp = tracker_.store().find(id.dev, id.ino);
    if (cp && cp->offset != size) return false;  // read before, and not to its end
    if (!cp) {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) return false;  // open() says why
      const Fingerprint fp = readFingerprint(fd).value_or(Fingerprint{});
      ::close(fd);
      tracker_.set({id.dev, id.ino, size, fp.len, fp.hash, path});
    }
    if (ignored_.insert(id).second && !cp) {
      spdlog::info(
          "{} is older than ignore_older_ms; skipped (only lines written to it later "
          "are read)",
          path);
    }
    return true;
  }

  Follower* open(const config::InputConfig& in, const std::string& path, FileId id,
                 const struct stat& st, bool initial,
                 std::optional<uint64_t> size_at_start = std::nullopt) {
    if (in.ignore_older_ms > 0 && skipOld(in, path, id, st)) return nullptr;
    ignored_.erase(id);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      spdlog::warn("cannot open {}: {}", path, std::strerror(errno));
      return nullptr;
    }
    auto f = std::make_unique<Follower>(cfg_.max_line_bytes);
    f->id = id;
    f->path = path;
    f->input = &in;
    f->fd = fd;
    f->fp = readFingerprint(fd).value_or(Fingerprint{});
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const uint64_t start = startOffset(in, path, id, fd, size, f->fp, initial,
                                       size_at_start.value_or(size), f->old_fp, f->old_offset);
    f->read_offset = start;
    f->splitter.reset(start);
    SourceInfo info;
    info.path = path;
    info.key = fileKey(id.dev, id.ino);
    info.format = in.format;
    info.service = in.service;
    info.tags = in.tags;
    info.min_level = in.min_level.value_or(cfg_.min_level);
    info.host = host_;
    Follower* raw = f.get();
    f->parser = std::make_unique<SourceParser>(*parsers_, std::move(info),
                                               [this, raw](ErrorRecord& r) { emit(*raw, r); });
    f->parser->restartAt(start);
    spdlog::info("following {} (inode {}) from offset {}", path, id.ino, start);
    followers_[id] = std::move(f);
    tracker_.follow(id, path, position(*raw, raw->parser->safeOffset()));
    return raw;
  }

  void emit(Follower& f, ErrorRecord& r) {
    ++records_by_[{r.format, r.level}];
    ++records_total_;
    json_.clear();
    pipeline_->finish(r, json_);
    const uint64_t seq = batcher_->add(json_, r.level, r.service, r.tags);
    tracker_.recorded(f.id, position(f, r.source_offset), seq);
  }

  static FilePosition position(const Follower& f, uint64_t offset) {
    return {offset, f.fp, f.old_fp, f.old_offset};
  }

  void enqueue(Follower& f) {
    if (!f.queued) {
      f.queued = true;
      ready_.push_back(f.id);
    }
    schedulePump();
  }

  void schedulePump() {
    if (pump_posted_ || draining_) return;
    pump_posted_ = true;
    asio::post(io_, [this] {
      pump_posted_ = false;
      pump();
    });
  }

  // Reads bounded chunks from ready files until the slice is used up, then yields to other
  // handlers; pauses while the transports are saturated.
  void pump() {
    const auto until = Clock::now() + kPumpSlice;
    while (!ready_.empty() && !draining_) {
      if (dispatcher_->saturated()) return;  // resumed by onSaturation(false)
      const FileId id = ready_.front();
      ready_.pop_front();
      auto it = followers_.find(id);
      if (it == followers_.end()) continue;
      Follower& f = *it->second;
      f.queued = false;
      if (readChunk(f)) {
        f.queued = true;
        ready_.push_back(id);
      }
      if (Clock::now() >= until) break;
    }
    if (!ready_.empty()) schedulePump();
  }

  // Opens a file closed for being idle again, if its name still holds the same content.
  bool reopen(Follower& f) {
    std::string path = f.path;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st {};
    if (fd >= 0 && (::fstat(fd, &st) != 0 || FileId{st.st_dev, st.st_ino} != f.id)) {
      ::close(fd);
      fd = -1;
    }
    if (fd < 0) {
      // Renamed while closed (rotation): look for it beside its old name.
      if (auto moved = findByInode(dirName(f.path), f.id.dev, f.id.ino)) {
        fd = ::open(moved->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        path = *moved;
      }
    }
    if (fd < 0) return false;
    f.fd = fd;
    f.path = path;
    tracker_.moved(f.id, path);
    f.verify = true;
    return true;
  }

  // After a truncation: the lines written between the last read and the truncation are in
  // the copy logrotate made (copytruncate); read them from there first, then the file again
  // from its start.
  void onTruncated(Follower& f) {
    if (f.resume_fd < 0) {
      auto copy = findCopy(dirName(f.path), f.fp, f.read_offset, f.id.ino);
      // A copy the globs match has a follower of its own, which reads its rest.
      if (copy && !inputFor(*copy)) {
        const int cfd = ::open(copy->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (cfd >= 0) {
          spdlog::info("{} was truncated; reading its last lines from the copy {}", f.path, *copy);
          f.resume_fd = f.fd;
          f.fd = cfd;
          f.copy_path = *copy;
          return;
        }
      }
    }
    spdlog::info("{} (inode {}) was truncated; reading it again from the start", f.path, f.id.ino);
    restartFromZero(f);
  }

  void restartFromZero(Follower& f) {
    if (f.fp.len >= kMinCopyFingerprintBytes) {
      f.old_fp = f.fp;
      // Where its last complete line ends: a partial line is read whole from the copy.
      f.old_offset = f.splitter.consumed();
    }
    f.splitter.reset(0);
    f.parser->restartAt(0);
    f.read_offset = 0;
    f.fp = Fingerprint{};
    tracker_.restarted(f.id);
    mark(f);
  }

  // Reads one chunk; returns whether there may be more right away.
  bool readChunk(Follower& f) {
    if (f.fd < 0 && !reopen(f)) {
      if (f.gone) f.gone_since = Clock::time_point{};  // nothing left to read: close soon
      return false;
    }
    if (f.handed_over) {
      struct stat st {};
      if (::fstat(f.fd, &st) == 0 &&
          (static_cast<uint64_t>(st.st_size) < f.read_offset || !fingerprintMatches(f.fd, f.fp))) {
        f.handed_over = false;
        onTruncated(f);
        return true;
      }
      if (Clock::now() - f.handed_over_since < std::chrono::milliseconds(cfg_.rotate_wait_ms)) {
        return false;  // tick() looks again
      }
      f.handed_over = false;
      spdlog::info("{} was copied but not truncated; reading it on from offset {}", f.path,
                   f.read_offset);
    }
    if (f.verify && f.resume_fd < 0) {
      f.verify = false;
      struct stat st {};
      if (::fstat(f.fd, &st) == 0 &&
          (static_cast<uint64_t>(st.st_size) < f.read_offset || !fingerprintMatches(f.fd, f.fp))) {
        onTruncated(f);
        return true;
      }
    }
    const ssize_t n = ::pread(f.fd, buf_.data(), buf_.size(), static_cast<off_t>(f.read_offset));
    if (n < 0) {
      if (errno == EINTR) return true;
      spdlog::warn("cannot read {}: {}", f.path, std::strerror(errno));
      return false;
    }
    if (n == 0) {
      if (f.resume_fd >= 0) {
        // The copy is read: go on with the truncated original from its start.
        ::close(f.fd);
        f.fd = f.resume_fd;
        f.resume_fd = -1;
        f.splitter.finish([&](std::string_view line, uint64_t off, uint64_t end, bool) {
          f.parser->addLine(line, off, end);
        });
        restartFromZero(f);
        return true;
      }
      return false;
    }
    const std::string_view chunk(buf_.data(), static_cast<size_t>(n));
    InputStats& is = input_stats_[f.input];
    is.bytes += static_cast<uint64_t>(n);
    f.splitter.feed(chunk, f.read_offset,
                    [&](std::string_view line, uint64_t off, uint64_t end, bool cut) {
                      ++is.lines;
                      is.truncated += cut ? 1 : 0;
                      f.parser->addLine(line, off, end);
                    });
    f.read_offset += static_cast<uint64_t>(n);
    f.last_data = Clock::now();
    if (f.fp.len < kFingerprintBytes && f.resume_fd < 0) {
      f.fp = readFingerprint(f.fd).value_or(f.fp);
    }
    mark(f);
    return static_cast<size_t>(n) == buf_.size();
  }

  // Notes that everything before the parser's safe offset is in batches up to the current
  // one; the offset becomes a checkpoint once those are acknowledged.
  void mark(Follower& f) { tracker_.reached(f.id, position(f, f.parser->safeOffset())); }

  void onAcked(uint64_t seq) {
    const auto now = Clock::now();
    while (!sealed_at_.empty() && sealed_at_.front().first <= seq) {
      latency_.observe(std::chrono::duration<double>(now - sealed_at_.front().second).count());
      sealed_at_.pop_front();
    }
    tracker_.acked(seq);
  }

  // Idle work: complete multi-line events whose next line did not come, pass on a last line
  // without newline after a while, poll where inotify cannot watch, close idle and rotated
  // files.
  void tick() {
    const auto now = Clock::now();
    const auto multiline = std::chrono::milliseconds(cfg_.multiline_timeout_ms);
    const auto partial = std::chrono::milliseconds(cfg_.partial_line_timeout_ms);
    const auto inactive = std::chrono::milliseconds(cfg_.close_inactive_ms);
    const auto rotate_wait = std::chrono::milliseconds(cfg_.rotate_wait_ms);
    const bool poll = polling() && now - last_poll_ >= kPollEvery;
    if (poll) last_poll_ = now;
    std::vector<FileId> closing;
    for (auto& [id, fp] : followers_) {
      Follower& f = *fp;
      const auto idle = now - f.last_data;
      // A queued follower has unread data (reading may be paused by backpressure): its partial
      // line and open event are not complete, however long the pause.
      if (f.splitter.hasPartial() && idle >= partial && !f.queued) {
        f.splitter.finish([&](std::string_view line, uint64_t off, uint64_t end, bool) {
          f.parser->addLine(line, off, end);
        });
      }
      if (f.parser->pending() && idle >= multiline && !f.queued) {
        f.parser->flush();
        mark(f);
      }
      if (f.gone && !f.queued && now - f.gone_since >= rotate_wait && idle >= rotate_wait) {
        closing.push_back(id);
        continue;
      }
      if (poll || f.gone || f.handed_over) {
        f.verify = true;
        enqueue(f);
      }
      if (f.fd >= 0 && !f.gone && f.resume_fd < 0 && idle >= inactive && !f.queued &&
          !f.parser->pending() && !f.splitter.hasPartial()) {
        ::close(f.fd);  // opened again on its next change
        f.fd = -1;
      }
    }
    for (const auto& id : closing) closeFollower(id);
    if (poll) {
      watchDirectories();
      rescan(false);
    }
    if (!draining_) tickLater();
  }

  // Whether some input directory is not watched by inotify, so changes must be polled for.
  bool polling() const {
    if (!watcher_.ok()) return true;
    for (const auto& in : cfg_.inputs) {
      for (const auto& dir : homeo::watchDirectories(in.paths)) {
        if (!watched_.count(dir)) return true;
      }
    }
    return false;
  }

  void closeFollower(const FileId& id) {
    auto it = followers_.find(id);
    if (it == followers_.end()) return;
    Follower& f = *it->second;
    if (!tracker_.settled(id)) return;  // still waiting for acknowledgement
    f.splitter.finish([&](std::string_view line, uint64_t off, uint64_t end, bool) {
      f.parser->addLine(line, off, end);
    });
    f.parser->flush();
    mark(f);
    if (tracker_.waitingForAck(id)) return;  // next time
    spdlog::info("closing {} (no longer at its path)", f.path);
    retired_.add(f.parser->stats());
    ready_.erase(std::remove(ready_.begin(), ready_.end(), id), ready_.end());
    for (auto p = by_path_.begin(); p != by_path_.end();) {
      p = p->second == &f ? by_path_.erase(p) : std::next(p);
    }
    tracker_.forget(id);
    followers_.erase(it);
  }

  // Pings systemd's watchdog from the event loop, so a stalled loop gets the service restarted.
  void watchdogLater() {
    watchdog_timer_.expires_after(watchdog_every_);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      sd_notifyf(0, "WATCHDOG=1\nSTATUS=%s", statusLine().c_str());
      watchdogLater();
    });
  }

  MetricsServer::Response serveHttp(std::string_view target) {
    MetricsServer::Response r;
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/metrics") {
      r.body = renderMetrics();
    } else if (path == "/health") {
      r.content_type = "text/plain; charset=utf-8";
      std::string why;
      for (const auto& t : dispatcher_->stats()) {
        if (t.failing) why += "transport " + t.type + " is failing; ";
      }
      if (dispatcher_->saturated()) why += "transports are not keeping up; reading is paused; ";
      if (why.empty()) {
        r.body = "ok\n";
      } else {
        r.status = 503;
        r.body = why + "\n";
      }
    } else {
      r.status = 404;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "try /metrics or /health\n";
    }
    return r;
  }

  std::string renderMetrics() {
    PrometheusText out;
    auto inputLabel = [&](const config::InputConfig* in) {
      return std::to_string(in ? static_cast<size_t>(in - cfg_.inputs.data()) : 0);
    };
    out.family("homeostasisd_bytes_read_total", "counter", "Bytes read from log files.");
    for (const auto& [in, st] : input_stats_) out.sample({{"input", inputLabel(in)}}, st.bytes);
    out.family("homeostasisd_lines_read_total", "counter", "Lines read from log files.");
    for (const auto& [in, st] : input_stats_) out.sample({{"input", inputLabel(in)}}, st.lines);
    out.family("homeostasisd_lines_truncated_total", "counter",
               "Lines longer than max_line_bytes, cut.");
    for (const auto& [in, st] : input_stats_) {
      out.sample({{"input", inputLabel(in)}}, st.truncated);
    }
    out.family("homeostasisd_records_total", "counter", "Error records produced.");
    for (const auto& [key, n] : records_by_) {
      out.sample({{"format", key.first}, {"level", std::string(levelName(key.second))}}, n);
    }
    ParserTotals totals = retired_;
    for (const auto& [id, f] : followers_) totals.add(f->parser->stats());
    out.family("homeostasisd_events_total", "counter", "Log events assembled (lines grouped).");
    out.sample({}, totals.events);
    out.family("homeostasisd_events_below_level_total", "counter",
               "Events below the minimum level, dropped.");
    out.sample({}, totals.below_level);
    out.family("homeostasisd_parse_failures_total", "counter",
               "Events their file's format could not parse (read as text).");
    out.sample({}, totals.unmatched);
    if (auto* scrubber = pipeline_->scrubber()) {
      out.family("homeostasisd_scrubbed_total", "counter", "Secret values scrubbed, per rule.");
      for (const auto& rc : scrubber->counters()) {
        out.sample({{"rule", std::string(rc.name)}}, rc.count);
      }
    }
    const auto stats = dispatcher_->stats();
    out.family("homeostasisd_transport_records_total", "counter",
               "Records per transport and outcome.");
    for (size_t i = 0; i < stats.size(); ++i) {
      const auto& t = stats[i];
      const std::string idx = std::to_string(i);
      const std::pair<const char*, uint64_t> outcomes[] = {
          {"sent", t.sent_records},       {"failed", t.failed_records},
          {"retried", t.retried_records}, {"spooled", t.spooled_records},
          {"dropped", t.dropped_records}, {"dead_lettered", t.dead_lettered_records},
          {"skipped", t.skipped_records}};
      for (const auto& [name, n] : outcomes) {
        out.sample({{"transport", idx}, {"type", t.type}, {"outcome", name}}, n);
      }
    }
    out.family("homeostasisd_transport_spool_bytes", "gauge",
               "Bytes in each transport's disk spool.");
    for (size_t i = 0; i < stats.size(); ++i) {
      out.sample({{"transport", std::to_string(i)}, {"type", stats[i].type}}, stats[i].spool_bytes);
    }
    out.family("homeostasisd_transport_failing", "gauge",
               "1 while a transport's last send failed (retryable) and none succeeded since.");
    for (size_t i = 0; i < stats.size(); ++i) {
      out.sample({{"transport", std::to_string(i)}, {"type", stats[i].type}},
                 uint64_t{stats[i].failing ? 1u : 0u});
    }
    out.family("homeostasisd_transport_queued_batches", "gauge",
               "Batches not yet acknowledged by every transport.");
    out.sample({}, dispatcher_->queuedBatches());
    out.histogram("homeostasisd_batch_latency_seconds",
                  "From a batch being sealed to every transport acknowledging it.", latency_);
    out.family("homeostasisd_files_watched", "gauge", "Files followed.");
    out.sample({}, followers_.size());
    out.family("homeostasisd_files_open", "gauge", "Followed files with an open descriptor.");
    size_t open = 0;
    for (const auto& [id, f] : followers_) open += f->fd >= 0 ? 1 : 0;
    out.sample({}, open);
    out.family("homeostasisd_checkpoint_lag_bytes", "gauge",
               "Bytes read but not yet acknowledged and checkpointed, per input.");
    std::map<const config::InputConfig*, uint64_t> lag;
    for (const auto& in : cfg_.inputs) lag[&in] = 0;
    for (const auto& [id, f] : followers_) {
      const uint64_t committed = tracker_.committedOffset(id);
      if (f->read_offset > committed) lag[f->input] += f->read_offset - committed;
    }
    for (const auto& [in, n] : lag) out.sample({{"input", inputLabel(in)}}, n);
    out.family("homeostasisd_checkpoint_writes_total", "counter",
               "Checkpoint files written (atomically replaced).");
    out.sample({}, tracker_.writes());
    out.family("homeostasisd_checkpoint_write_failures_total", "counter",
               "Checkpoint file writes that failed (retried).");
    out.sample({}, tracker_.writeFailures());
    return out.take();
  }

  void tickLater() {
    tick_.expires_after(kTick);
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !draining_) tick();
    });
  }

  void rescanLater() {
    rescan_timer_.expires_after(kRescanEvery);
    rescan_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || draining_) return;
      watchDirectories();
      rescan(false);
      rescanLater();
    });
  }

  asio::io_context& io_;
  config::Config cfg_;
  const Registries& reg_;
  CheckpointTracker tracker_;
  InotifyWatcher watcher_;
  asio::steady_timer tick_;
  asio::steady_timer rescan_timer_;
  std::unique_ptr<ParserSet> parsers_;
  std::unique_ptr<RecordPipeline> pipeline_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Batcher> batcher_;
  std::map<FileId, std::unique_ptr<Follower>> followers_;
  std::map<std::string, Follower*> by_path_;
  std::deque<FileId> ready_;
  std::set<std::string> watched_;
  std::set<std::string> warned_dirs_;
  std::set<FileId> ignored_;

  // Self-metrics (see serveHttp).
  struct InputStats {
    uint64_t bytes = 0;
    uint64_t lines = 0;
    uint64_t truncated = 0;
  };
  struct ParserTotals {
    uint64_t events = 0, below_level = 0, unmatched = 0, split = 0;
    void add(const SourceStats& s) {
      events += s.events;
      below_level += s.below_level;
      unmatched += s.unmatched;
      split += s.split_events;
    }
  };
  std::map<const config::InputConfig*, InputStats> input_stats_;
  std::map<std::pair<std::string, Level>, uint64_t> records_by_;
  uint64_t records_total_ = 0;
  ParserTotals retired_;
  std::deque<std::pair<uint64_t, Clock::time_point>> sealed_at_;
  Histogram latency_{{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}};
  std::unique_ptr<MetricsServer> metrics_;
  asio::steady_timer watchdog_timer_{io_};
  std::chrono::microseconds watchdog_every_{0};
  Clock::time_point status_at_ = Clock::now();
  uint64_t status_records_ = 0;
  struct Settling {
    uint64_t size;
    Clock::time_point since;
    bool initial;         // found by the first scan
    uint64_t first_size;  // its size then: `read_from: end` means the end as of the start
  };
  std::map<FileId, Settling> settling_;
  asio::steady_timer settle_timer_{io_};
  bool settle_timer_armed_ = false;
  // Checkpoints of content that was truncated away while the daemon was stopped, so a copy
  // of it found in the same scan still starts where reading stopped.
  std::vector<Checkpoint> orphans_;
  Clock::time_point last_poll_{};
  std::vector<char> buf_ = std::vector<char>(kReadChunk);
  std::string json_;
  std::string host_;
  bool draining_ = false;
  bool pump_posted_ = false;
  bool rescan_posted_ = false;
};

void setSignalsBlocked(bool blocked) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

}  // namespace

int runDaemon(const std::string& config_path) {
  const Registries reg = Registries::builtin();
  auto cfg = loadValidConfig(config_path, reg);
  if (!cfg) return kExitConfig;
  for (;;) {
    std::string error;
    if (!prepareStateDir(cfg->state_dir, &error)) {
      spdlog::critical("{}", error);
      return kExitCantCreate;
    }
    applyTimezone(*cfg);
    asio::io_context io;
    // Signals are caught before anything else starts, so that a SIGTERM or SIGHUP sent right
    // after READY=1 is never fatal.
    asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    setSignalsBlocked(false);
    auto daemon = std::make_unique<Daemon>(io, *cfg, reg);
    if (const int rc = daemon->start(); rc != kExitOk) return rc;
    sd_notifyf(0, "READY=1\nSTATUS=following %zu files", daemon->fileCount());

    std::optional<config::Config> next;
    bool stop = false;
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        spdlog::info("SIGHUP: reloading {}", config_path);
        sd_notify(0, "RELOADING=1");
        auto loaded = loadValidConfig(config_path, reg);
        if (!loaded) {
          spdlog::error("the new config is invalid; keeping the running one");
          sd_notify(0, "READY=1");
          signals.async_wait(on_signal);
          return;
        }
        next = std::move(loaded);
      } else {
        spdlog::info("{}: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        sd_notify(0, "STOPPING=1");
        stop = true;
      }
      daemon->drain([&](bool) {
        signals.cancel();
        io.stop();
      });
    };
    signals.async_wait(on_signal);
    io.run();
    // Between this generation's signal_set and the next one's, signals stay pending rather
    // than taking their default (fatal) action.
    setSignalsBlocked(true);
    daemon.reset();
    if (stop || !next) return kExitOk;
    cfg = std::move(next);
    spdlog::info("reloaded");
  }
}

}  // namespace homeo
