#include "transports/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>
#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/level.h"
#include "transports/fd_write.h"
#include "transports/spool_file.h"

namespace homeo {

namespace {

std::string errorText(int err) { return std::generic_category().message(err); }

void syncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

int makeDirs(const std::string& path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno;
    if (slash == std::string::npos) return 0;
  }
}

// Moves `path` (in `dir`) into dir/quarantine/, under a name not taken yet there. Returns the
// new path, or empty with `error` set.
std::string quarantineFile(const std::string& dir, const std::string& path, std::string& error) {
  const std::string qdir = dir + "/" + std::string(kSpoolQuarantineDir);
  if (::mkdir(qdir.c_str(), 0750) != 0 && errno != EEXIST) {
    error = "cannot create " + qdir + ": " + errorText(errno);
    return {};
  }
  const std::string name = path.substr(path.rfind('/') + 1);
  std::string target = qdir + "/" + name;
  struct stat st {};
  for (int n = 1; ::lstat(target.c_str(), &st) == 0; ++n) {
    target = qdir + "/" + name + "." + std::to_string(n);  // one of an earlier run's ids
  }
  if (::rename(path.c_str(), target.c_str()) != 0) {
    error = "cannot move it to " + qdir + ": " + errorText(errno);
    return {};
  }
  syncDir(qdir);
  syncDir(dir);
  return target;
}

}  // namespace

Spool::Spool(boost::asio::any_io_executor loop, std::string dir, uint64_t max_bytes, Policy policy)
    : loop_(std::move(loop)), dir_(std::move(dir)), max_bytes_(max_bytes), policy_(policy) {}

Spool::~Spool() {
  stop();
  alive_.reset();
}

std::string Spool::pathOf(const Entry& e) const {
  return dir_ + "/" + spoolFileName(e.id, e.records);
}

bool Spool::open(std::string& error) {
  if (const int err = makeDirs(dir_); err != 0) {
    error = "cannot create spool directory " + dir_ + ": " + errorText(err);
    return false;
  }
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) {
    error = "cannot read spool directory " + dir_ + ": " + errorText(errno);
    return false;
  }
  std::vector<Entry> found;
  while (dirent* de = ::readdir(d)) {
    const std::string name = de->d_name;
    uint64_t id = 0;
    size_t records = 0;
    if (name == "." || name == ".." || name == kSpoolQuarantineDir) continue;
    if (name.ends_with(".tmp")) {
      ::unlink((dir_ + "/" + name).c_str());  // a write that never completed
      continue;
    }
    if (!parseSpoolFileName(name, id, records)) {
      spdlog::warn("spool {}: {} is not a spool batch; left alone", dir_, name);
      continue;
    }
    struct stat st {};
    if (::stat((dir_ + "/" + name).c_str(), &st) != 0) continue;
    found.push_back({id, records, static_cast<uint64_t>(st.st_size), true});
  }
  ::closedir(d);
  std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });
  for (const auto& e : found) {
    entries_.push_back(e);
    bytes_ += e.bytes;
    next_id_ = e.id + 1;
  }
  if (!entries_.empty()) {
    spdlog::info("spool {}: {} batches ({} bytes) left from an earlier run will be sent first",
                 dir_, entries_.size(), bytes_);
  }
  return true;
}

bool Spool::reserve(uint64_t bytes, bool keep_front, size_t& dropped) {
  if (bytes_ + bytes <= max_bytes_) return true;
  if (policy_ == Policy::kBlock) return false;
  // drop_oldest: delete written files from the oldest on, sparing one being replayed.
  size_t i = keep_front ? 1 : 0;
  while (bytes_ + bytes > max_bytes_ && i < entries_.size() && entries_[i].written) {
    const Entry e = entries_[i];
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
    bytes_ -= e.bytes;
    dropped += e.records;
    post([path = pathOf(e)] { ::unlink(path.c_str()); });
  }
  return bytes_ + bytes <= max_bytes_;
}

uint64_t Spool::append(std::shared_ptr<const Batch> batch,
                       std::function<void(bool, std::string)> done, uint64_t rewrite_id) {
  std::string path;
  if (rewrite_id != 0) {
    for (const auto& e : entries_) {
      if (e.id == rewrite_id) path = pathOf(e);
    }
    if (path.empty()) return rewrite_id;  // dropped meanwhile
  } else {
    const uint64_t body = batch->bytes + batch->records.size();
    const uint64_t size = headerSize(body) + body;
    entries_.push_back({next_id_++, batch->records.size(), size, false});
    bytes_ += size;
    path = pathOf(entries_.back());
  }
  const uint64_t id = rewrite_id != 0 ? rewrite_id : entries_.back().id;
  post([this, batch = std::move(batch), done = std::move(done), path, id,
        alive = std::weak_ptr<int>(alive_)] {
    const std::string tmp = path + ".tmp";
    std::string error;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
      error = "open " + tmp + ": " + errorText(errno);
    } else {
      const std::string body = batch->ndjson();
      const std::string head = header(body);
      size_t written = 0;
      int err = writeFully(fd, head, written);
      if (err == 0) err = writeFully(fd, body, written);
      if (err == 0 && ::fdatasync(fd) != 0) err = errno;
      ::close(fd);
      if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
      if (err != 0) {
        error = "write " + path + ": " + errorText(err);
        ::unlink(tmp.c_str());
      } else {
        syncDir(dir_);
      }
    }
    boost::asio::post(loop_, [this, alive, done, error, id] {
      if (alive.expired()) return;
      for (auto& e : entries_) {
        if (e.id == id) e.written = error.empty();
      }
      done(error.empty(), error);
    });
  });
  return id;
}

void Spool::readOldest(std::function<void(std::shared_ptr<const Batch>, std::string, bool)> done) {
  if (entries_.empty()) return;
  const std::string path = pathOf(entries_.front());
  post([this, path, done = std::move(done), alive = std::weak_ptr<int>(alive_)] {
    auto batch = std::make_shared<Batch>();
    std::string error;
    bool quarantined = false;
    std::string data;
    std::string_view body;
    if (const int err = readWhole(path, data); err != 0) {
      error = "read " + path + ": " + errorText(err);
    } else if (std::string problem = checkSpoolFile(data, body); !problem.empty()) {
      std::string move_error;
      const std::string moved = quarantineFile(dir_, path, move_error);
      quarantined = !moved.empty();
      error = path + ": " + problem + "; " + (quarantined ? "moved to " + moved : move_error);
    } else {
      simdjson::dom::parser parser;
      // Level, service and tags come back from the record itself, for the transports that
      // use them (AMQP routing keys, Kafka keys by service).
      forEachSpooledRecord(body, parser,
                           [&](std::string_view record, Level level, RecordRoute route) {
                             batch->bytes += record.size();
                             batch->records.emplace_back(record);
                             batch->levels.push_back(level);
                             batch->routes.push_back(std::move(route));
                           });
    }
    boost::asio::post(loop_, [alive, done, batch, error, quarantined] {
      if (alive.expired()) return;
      done(error.empty() ? batch : nullptr, error, quarantined);
    });
  });
}

void Spool::removeOldest() {
  if (entries_.empty()) return;
  const Entry e = entries_.front();
  entries_.pop_front();
  bytes_ -= e.bytes;
  post([path = pathOf(e)] { ::unlink(path.c_str()); });
}

void Spool::forgetOldest() {
  if (entries_.empty()) return;
  bytes_ -= entries_.front().bytes;
  entries_.pop_front();
}

void Spool::post(std::function<void()> job) {
  if (!worker_.post(std::move(job))) {
    spdlog::error("spool {}: file work refused (stopping, or {} jobs waiting)", dir_,
                  worker_.maxQueued());
  }
}

void Spool::stop() { worker_.stop(); }

}  // namespace homeo
