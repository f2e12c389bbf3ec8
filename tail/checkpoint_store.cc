#include "tail/checkpoint_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

namespace homeo {
namespace {

bool writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool mkdirs(const std::string& dir) {
  if (dir.empty()) return false;
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0750) != 0 && errno != EEXIST) return false;
  }
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

bool prepareStateDir(const std::string& dir, std::string* error) {
  if (!mkdirs(dir)) {
    *error = "cannot create state directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  const std::string probe = dir + "/.write-test";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot write in state directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

CheckpointStore::CheckpointStore(std::string state_dir)
    : dir_(std::move(state_dir)), file_(dir_ + "/checkpoints") {}

bool CheckpointStore::load(std::string* error) {
  content_ = {};
  std::ifstream in(file_, std::ios::binary);
  existed_ = static_cast<bool>(in) || ::access((file_ + ".corrupt").c_str(), F_OK) == 0;
  if (!in) return true;  // first start
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string why;
  if (in.bad() || !parseCheckpoints(text, content_, &why)) {
    if (in.bad()) why = "read error";
    content_ = {};
    const std::string aside = file_ + ".corrupt";
    ::rename(file_.c_str(), aside.c_str());
    *error = "checkpoint file " + file_ + " is corrupt (" + why + "; set aside as " + aside +
             "); files are read again from their start or end as read_from says";
    return false;
  }
  return true;
}

std::optional<std::string> CheckpointStore::snapshot() {
  if (!dirty_) return std::nullopt;
  dirty_ = false;
  return formatCheckpoints(content_);
}

bool CheckpointStore::save(std::string* error) {
  auto data = snapshot();
  if (!data) return true;
  if (!writeCheckpointFile(dir_, file_, *data, error)) {
    dirty_ = true;
    return false;
  }
  return true;
}

bool writeCheckpointFile(const std::string& dir, const std::string& file, const std::string& data,
                         std::string* error) {
  const std::string tmp = file + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    *error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  const bool written = writeAll(fd, data) && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!written) {
    *error = "cannot write " + tmp + ": " + std::strerror(saved_errno);
    return false;
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    *error = "cannot rename " + tmp + ": " + std::strerror(errno);
    return false;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

std::optional<Checkpoint> CheckpointStore::find(uint64_t dev, uint64_t ino) const {
  auto it = content_.files.find({dev, ino});
  if (it == content_.files.end()) return std::nullopt;
  return it->second;
}

void CheckpointStore::set(const Checkpoint& c) {
  auto& e = content_.files[{c.dev, c.ino}];
  if (e == c) return;
  e = c;
  dirty_ = true;
}

std::optional<JournalCheckpoint> CheckpointStore::findJournal(const std::string& key) const {
  auto it = content_.journals.find(key);
  if (it == content_.journals.end()) return std::nullopt;
  return it->second;
}

void CheckpointStore::setJournal(const std::string& key, const JournalCheckpoint& checkpoint) {
  auto [it, added] = content_.journals.try_emplace(key, checkpoint);
  if (!added && it->second == checkpoint) return;
  it->second = checkpoint;
  dirty_ = true;
}

void CheckpointStore::erase(uint64_t dev, uint64_t ino) {
  if (content_.files.erase({dev, ino}) > 0) dirty_ = true;
}

}  // namespace homeo
