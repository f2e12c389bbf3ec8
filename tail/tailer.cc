#include "tail/tailer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "tail/start_position.h"

namespace homeo {

TailerSettings TailerSettings::from(const config::Config& cfg) {
  TailerSettings s;
  s.max_line_bytes = cfg.max_line_bytes;
  s.multiline_timeout = std::chrono::milliseconds(cfg.multiline_timeout_ms);
  s.partial_line_timeout = std::chrono::milliseconds(cfg.partial_line_timeout_ms);
  s.close_inactive = std::chrono::milliseconds(cfg.close_inactive_ms);
  s.rotate_wait = std::chrono::milliseconds(cfg.rotate_wait_ms);
  return s;
}

Tailer::Tailer(boost::asio::any_io_executor loop, const std::vector<config::InputConfig>& inputs,
               TailerSettings settings, CheckpointTracker& tracker, SinkFactory make_sink)
    : loop_(loop),
      inputs_(inputs),
      settings_(std::move(settings)),
      tracker_(tracker),
      make_sink_(std::move(make_sink)),
      discovery_(loop, inputs, worker_,
                 {[this](const PathScan& scan, bool initial) { onScanned(scan, initial); },
                  [this](const std::string& path) { onModified(path); }, [this] { onPoll(); }}),
      tick_(loop) {}

Tailer::~Tailer() {
  discovery_.stop();
  worker_.stop();  // its results are dropped: alive_ expires below
  alive_.reset();
}

template <typename Result>
void Tailer::offLoop(std::function<Result()> job, std::function<void(Result)> then) {
  ++searches_;
  const bool posted = worker_.post([this, alive = std::weak_ptr<int>(alive_), job = std::move(job),
                                    then = std::move(then)]() mutable {
    auto result = std::make_shared<Result>(job());
    boost::asio::post(loop_, [this, alive, result, then = std::move(then)] {
      if (alive.expired()) return;
      --searches_;
      then(std::move(*result));
    });
  });
  if (!posted) {
    // Stopping, or a backlog of walks: this one answers "not found" rather than waiting.
    --searches_;
    boost::asio::post(loop_, [alive = std::weak_ptr<int>(alive_), then = std::move(then)] {
      if (!alive.expired()) then(Result{});
    });
  }
}

void Tailer::start() {
  discovery_.start();
  tickLater();
}

void Tailer::drain() {
  if (draining_) return;
  draining_ = true;
  discovery_.stop();
  tick_.cancel();
  for (auto& [id, e] : followers_) {
    e.file->flushEvent();
    tracker_.reached(id, e.file->position());
  }
}

void Tailer::resume() {
  if (!paused_) return;
  paused_ = false;
  schedulePump();
}

void Tailer::recorded(FileId id, uint64_t offset, uint64_t seq) {
  auto it = followers_.find(id);
  tracker_.recorded(id,
                    it != followers_.end() ? it->second.file->positionAt(offset)
                                           : FilePosition{offset, {}, {}, 0},
                    seq);
}

size_t Tailer::openFiles() const {
  size_t n = 0;
  for (const auto& [id, e] : followers_) n += e.file->isOpen() ? 1 : 0;
  return n;
}

bool Tailer::idle() const { return ready_.empty() && searches_ == 0 && !pump_posted_; }

std::map<const config::InputConfig*, uint64_t> Tailer::checkpointLag() const {
  std::map<const config::InputConfig*, uint64_t> lag;
  for (const auto& in : inputs_) lag[&in] = 0;
  for (const auto& [id, e] : followers_) {
    const uint64_t committed = tracker_.committedOffset(id);
    const uint64_t read = e.file->readOffset();
    if (read > committed) lag[e.input] += read - committed;
  }
  return lag;
}

// Matches what a scan found against the followers: new files get one once they settled,
// renamed ones keep theirs, ones that left their name are read to the end and closed later.
void Tailer::onScanned(const PathScan& scan, bool initial) {
  if (draining_) return;
  const auto now = settings_.now();
  std::set<FileId> seen;
  by_path_.clear();
  for (const FoundFile& found : scan.files) {
    seen.insert(found.id);
    auto it = followers_.find(found.id);
    Entry* e = nullptr;
    if (it == followers_.end()) {
      const Settler::Verdict v = settler_.look(
          {found.id, found.size, found.mtime, initial}, now, std::chrono::system_clock::now(),
          [&] { return copyIncomplete(found.path, found.size); });
      if (!v.ready) {
        discovery_.rescanSoon();
        continue;
      }
      e = open(*found.input, found.path, found.id, found.size, found.mtime, v.initial,
               v.first_size);
      if (!e) continue;
    } else {
      e = &it->second;
      if (e->file->path() != found.path) {
        spdlog::info("{} is now {} (inode {})", e->file->path(), found.path, found.id.ino);
        e->file->setPath(found.path);
        tracker_.moved(found.id, found.path);
      }
      e->gone = false;
    }
    by_path_[found.path] = found.id;
    e->file->verifyNext();
    enqueue(*e);
  }
  settler_.keepOnly(seen);
  for (auto& [id, e] : followers_) {
    if (seen.count(id)) continue;
    if (!e.gone) {
      e.gone = true;
      e.gone_since = now;
    }
    enqueue(e);
  }
  if (initial) resumeRotatedWhileDown(seen);
}

void Tailer::onModified(const std::string& path) {
  if (draining_) return;
  auto it = by_path_.find(path);
  if (it == by_path_.end()) {
    discovery_.rescan();
    return;
  }
  Entry& e = followers_.at(it->second);
  e.file->verifyNext();
  enqueue(e);
}

void Tailer::onPoll() {
  for (auto& [id, e] : followers_) {
    e.file->verifyNext();
    enqueue(e);
  }
}

// Whether `path` starts like a followed file (or what one held before its truncation) but is
// shorter than what was read of it: a copy still being written.
bool Tailer::copyIncomplete(const std::string& path, uint64_t size) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  const ContentPrefix content = ContentPrefix::read(fd).value_or(ContentPrefix{});
  ::close(fd);
  auto copies = [&](const Fingerprint& fp) {
    return fp.len >= kMinCopyFingerprintBytes && content.startsWith(fp);
  };
  for (const auto& [id, e] : followers_) {
    if (copies(e.file->fingerprint()) && e.file->done() > size) return true;
    if (copies(e.file->previousFingerprint()) && e.file->previousOffset() > size) return true;
  }
  return false;
}

// Files read before a stop that were rotated to a name the globs do not match while the daemon
// was down: found by inode beside their old name and read to their end. At start-up, so the
// directory walks happen on the calling thread.
void Tailer::resumeRotatedWhileDown(const std::set<FileId>& seen) {
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
    if (!in || ::stat(path->c_str(), &st) != 0) continue;
    if (!holds(*path, cp)) {
      // Truncated since (a copytruncate the daemon had not noticed yet: its copy holds lines
      // to read) or the inode reused by another file, which is left alone: the checkpoint is
      // of content gone from there.
      orphans_.push_back(cp);
      tracker_.erase({cp.dev, cp.ino});
      resumeCopy(cp, cp.ino);
      continue;
    }
    if (static_cast<uint64_t>(st.st_size) <= cp.offset) continue;  // read before the stop
    Entry* e = open(*in, *path, {cp.dev, cp.ino}, static_cast<uint64_t>(st.st_size), st.st_mtime,
                    false, std::nullopt);
    if (!e) continue;
    spdlog::info("{} was rotated to {} while stopped; reading its rest", cp.path, *path);
    e->gone = true;
    e->gone_since = settings_.now();
    enqueue(*e);
  }
}

// Whether the file at `path` still holds the content `cp` was taken of.
bool Tailer::holds(const std::string& path, const Checkpoint& cp) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return true;  // nothing to be done about it
  const bool same = fingerprintMatches(fd, {cp.fp_len, cp.fp_hash});
  ::close(fd);
  return same;
}

const config::InputConfig* Tailer::inputFor(const std::string& path) const {
  for (const auto& in : inputs_) {
    if (inputMatches(in, path)) return &in;
  }
  return nullptr;
}

// Reads the rest of a truncated file's old content from its copy, when one lies beside it
// under a name the globs do not match (they would have found it themselves).
void Tailer::resumeCopy(const Checkpoint& cp, uint64_t except_ino) {
  const std::string dir = dirName(cp.path);
  const Fingerprint fp{cp.fp_len, cp.fp_hash};
  const uint64_t min_size = cp.offset;
  offLoop<std::optional<std::string>>(
      [dir, fp, min_size, except_ino] { return findCopy(dir, fp, min_size, except_ino); },
      [this, cp](std::optional<std::string> copy) {
        if (copy && !draining_) openCopy(cp, *copy);
      });
}

void Tailer::openCopy(const Checkpoint& cp, const std::string& copy) {
  if (inputFor(copy)) return;
  const config::InputConfig* in = inputFor(cp.path);
  struct stat st {};
  if (!in || ::stat(copy.c_str(), &st) != 0) return;
  const FileId cid{st.st_dev, st.st_ino};
  if (followers_.count(cid)) return;
  Entry* e =
      open(*in, copy, cid, static_cast<uint64_t>(st.st_size), st.st_mtime, false, std::nullopt);
  if (!e) return;
  e->gone = true;
  e->gone_since = settings_.now();
  enqueue(*e);
}

// ignore_older_ms: a file untouched that long with nothing unread is not opened. One never read
// is skipped as it is: a checkpoint at its end is kept, so that if it is written to later (or
// after a restart) only the new lines are read.
bool Tailer::skipOld(const config::InputConfig& in, const std::string& path, FileId id,
                     uint64_t size, std::time_t mtime) {
  const auto age = std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(mtime);
  if (age <= std::chrono::milliseconds(in.ignore_older_ms)) return false;
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
        "{} is older than ignore_older_ms; skipped (only lines written to it later are read)",
        path);
  }
  return true;
}

Tailer::Entry* Tailer::open(const config::InputConfig& in, const std::string& path, FileId id,
                            uint64_t found_size, std::time_t mtime, bool initial,
                            std::optional<uint64_t> size_at_start) {
  if (in.ignore_older_ms > 0 && skipOld(in, path, id, found_size, mtime)) return nullptr;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    spdlog::warn("cannot open {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || FileId{st.st_dev, st.st_ino} != id) {
    ::close(fd);  // replaced since the scan; the next one finds what is there now
    return nullptr;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  ignored_.erase(id);

  NewFile file;
  file.id = id;
  file.path = path;
  file.size = size;
  file.content = ContentPrefix::read(fd).value_or(ContentPrefix{});
  if (auto cp = tracker_.store().find(id.dev, id.ino)) {
    file.matches_checkpoint = fingerprintMatches(fd, {cp->fp_len, cp->fp_hash});
  }
  file.read_from_end = initial && in.read_from == config::ReadFrom::kEnd;
  file.size_at_start = size_at_start.value_or(size);
  std::vector<FollowedFile> followed;
  followed.reserve(followers_.size());
  for (const auto& [fid, e] : followers_) {
    const FileFollower& f = *e.file;
    followed.push_back({fid, f.path(), f.fingerprint(), f.done(), e.gone, f.previousFingerprint(),
                        f.previousOffset()});
  }
  const StartDecision d = decideStart(file, tracker_.store(), followed, orphans_);
  if (!d.note.empty()) spdlog::info("{}", d.note);
  if (d.replaced) {
    orphans_.push_back(*d.replaced);
    tracker_.erase(id);
    resumeCopy(*d.replaced, id.ino);
  }
  if (d.handover_from) {
    // The copy takes over from there: the original must not turn the same lines into records
    // again.
    followers_.at(*d.handover_from).file->handOver(d.handover_at, settings_.now());
  }

  FileFollower::Start start{
      id, path, fd, d.offset, file.content.fingerprint(), d.previous_fp, d.previous_offset};
  FileFollower::Settings fs{settings_.max_line_bytes, settings_.rotate_wait};
  Entry& e = followers_[id];
  e.input = &in;
  e.file = std::make_unique<FileFollower>(std::move(start), fs, make_sink_(in, path, id),
                                          &counters_[&in], settings_.now());
  spdlog::info("following {} (inode {}) from offset {}", path, id.ino, d.offset);
  tracker_.follow(id, path, e.file->position());
  return &e;
}

void Tailer::enqueue(Entry& e) {
  if (!e.queued) {
    e.queued = true;
    ready_.push_back(e.file->id());
  }
  schedulePump();
}

void Tailer::schedulePump() {
  if (pump_posted_ || draining_ || paused_) return;
  pump_posted_ = true;
  boost::asio::post(loop_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    pump_posted_ = false;
    pump();
  });
}

// Reads bounded chunks from ready files until the slice is used up, then yields to other
// handlers; stops while paused (resume() goes on).
void Tailer::pump() {
  const auto until = Clock::now() + kPumpSlice;
  while (!ready_.empty() && !draining_ && !paused_) {
    const FileId id = ready_.front();
    ready_.pop_front();
    auto it = followers_.find(id);
    if (it == followers_.end()) continue;
    Entry& e = it->second;
    e.queued = false;
    if (e.searching) continue;  // queued again when the search is done
    if (readStep(id, e)) {
      e.queued = true;
      ready_.push_back(id);
    }
    if (Clock::now() >= until) break;
  }
  if (!ready_.empty()) schedulePump();
}

// Reads one chunk; returns whether there may be more right away.
bool Tailer::readStep(FileId id, Entry& e) {
  FileFollower& f = *e.file;
  switch (f.read(buf_, settings_.now())) {
    case FileFollower::Step::kMore:
      tracker_.reached(id, f.position());
      return true;
    case FileFollower::Step::kIdle:
      tracker_.reached(id, f.position());
      return false;
    case FileFollower::Step::kRestarted:
      tracker_.restarted(id);
      tracker_.reached(id, f.position());
      return true;
    case FileFollower::Step::kTruncated:
      onTruncated(id, e);
      return false;
    case FileFollower::Step::kMissing:
      onMissing(id, e);
      return false;
  }
  return false;
}

// After a truncation: the lines written between the last read and the truncation are in the
// copy logrotate made (copytruncate); read them from there first, then the file again from its
// start. A copy the globs match has a follower of its own, which reads its rest.
void Tailer::onTruncated(FileId id, Entry& e) {
  if (e.file->readingCopy()) {
    restartFile(e);
    enqueue(e);
    return;
  }
  e.searching = true;
  const FileFollower& f = *e.file;
  const std::string dir = dirName(f.path());
  const Fingerprint fp = f.fingerprint();
  const uint64_t read = f.readOffset();
  offLoop<std::optional<std::string>>(
      [dir, fp, read, ino = id.ino] { return findCopy(dir, fp, read, ino); },
      [this, id](std::optional<std::string> copy) {
        auto it = followers_.find(id);
        if (it == followers_.end()) return;
        Entry& e = it->second;
        e.searching = false;
        if (!(copy && !inputFor(*copy) && e.file->readCopy(*copy))) restartFile(e);
        enqueue(e);
      });
}

void Tailer::restartFile(Entry& e) {
  FileFollower& f = *e.file;
  spdlog::info("{} (inode {}) was truncated; reading it again from the start", f.path(),
               f.id().ino);
  f.restart();
  tracker_.restarted(f.id());
  tracker_.reached(f.id(), f.position());
}

// Closed for being idle and no longer at its name: renamed while closed (rotation), so it is
// looked for beside its old name.
void Tailer::onMissing(FileId id, Entry& e) {
  e.searching = true;
  offLoop<std::optional<std::string>>(
      [dir = dirName(e.file->path()), id] { return findByInode(dir, id.dev, id.ino); },
      [this, id](std::optional<std::string> moved) {
        auto it = followers_.find(id);
        if (it == followers_.end()) return;
        Entry& e = it->second;
        e.searching = false;
        if (moved && e.file->reopenAt(*moved)) {
          tracker_.moved(id, *moved);
          enqueue(e);
        } else if (e.gone) {
          e.gone_since = Clock::time_point{};  // nothing left to read: close soon
        }
      });
}

void Tailer::tick() {
  const auto now = settings_.now();
  std::vector<FileId> closing;
  for (auto& [id, e] : followers_) {
    FileFollower& f = *e.file;
    const auto idle = now - f.lastData();
    // A queued follower has unread data (reading may be paused by backpressure): its partial
    // line and open event are not complete, however long the pause.
    if (f.hasPartialLine() && idle >= settings_.partial_line_timeout && !e.queued) {
      f.finishPartialLine();
    }
    if (f.holdsEvent() && idle >= settings_.multiline_timeout && !e.queued) {
      f.flushEvent();
      tracker_.reached(id, f.position());
    }
    if (e.gone && !e.queued && now - e.gone_since >= settings_.rotate_wait &&
        idle >= settings_.rotate_wait) {
      closing.push_back(id);
      continue;
    }
    if (e.gone || f.handedOver()) {
      f.verifyNext();
      enqueue(e);
    }
    if (f.isOpen() && !e.gone && !f.readingCopy() && idle >= settings_.close_inactive &&
        !e.queued && !e.searching && !f.holdsEvent() && !f.hasPartialLine()) {
      f.closeIdle();
    }
  }
  for (const auto& id : closing) closeFollower(id);
}

void Tailer::closeFollower(FileId id) {
  auto it = followers_.find(id);
  if (it == followers_.end()) return;
  Entry& e = it->second;
  if (e.searching || !tracker_.settled(id)) return;  // still waiting for acknowledgement
  FileFollower& f = *e.file;
  f.finishPartialLine();
  f.flushEvent();
  tracker_.reached(id, f.position());
  if (tracker_.waitingForAck(id)) return;  // next time
  spdlog::info("closing {} (no longer at its path)", f.path());
  // A deleted file's inode may come back for another file: its checkpoint must not claim it.
  const bool deleted = f.deleted();
  ready_.erase(std::remove(ready_.begin(), ready_.end(), id), ready_.end());
  for (auto p = by_path_.begin(); p != by_path_.end();) {
    p = p->second == id ? by_path_.erase(p) : std::next(p);
  }
  tracker_.forget(id);
  if (deleted) tracker_.erase(id);
  followers_.erase(it);
}

void Tailer::tickLater() {
  tick_.expires_after(kTick);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || draining_) return;
    tick();
    tickLater();
  });
}

}  // namespace homeo
