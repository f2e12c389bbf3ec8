#include "tail/file_identity.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/hash.h"

namespace homeo {

namespace {

// Reads the first min(file size, len) bytes of fd into buf; their count, or -1 on an error.
ssize_t readHead(int fd, char* buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    const ssize_t n = ::pread(fd, buf + got, len - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

std::optional<Fingerprint> readFingerprint(int fd, uint32_t max_len) {
  char buf[kFingerprintBytes];
  const ssize_t got = readHead(fd, buf, std::min<uint32_t>(max_len, kFingerprintBytes));
  if (got < 0) return std::nullopt;
  const std::string_view head(buf, static_cast<size_t>(got));
  return Fingerprint{static_cast<uint32_t>(head.size()), fnv1a(head)};
}

std::optional<ContentPrefix> ContentPrefix::read(int fd) {
  char buf[kFingerprintBytes];
  const ssize_t got = readHead(fd, buf, kFingerprintBytes);
  if (got < 0) return std::nullopt;
  return of(std::string_view(buf, static_cast<size_t>(got)));
}

ContentPrefix ContentPrefix::of(std::string_view first_bytes) {
  ContentPrefix p;
  p.len_ = static_cast<uint32_t>(std::min<size_t>(first_bytes.size(), kFingerprintBytes));
  p.hashes_[0] = kFnvOffset;
  for (size_t i = 0; i < p.len_; ++i) {
    p.hashes_[i + 1] = fnv1a(first_bytes.substr(i, 1), p.hashes_[i]);
  }
  return p;
}

bool fingerprintMatches(int fd, const Fingerprint& fp) {
  if (fp.len == 0) return true;
  auto now = readFingerprint(fd, fp.len);
  return now && *now == fp;
}

std::string dirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

namespace {

template <typename Fn>
std::optional<std::string> scanDir(const std::string& dir, Fn&& accept) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return std::nullopt;
  std::optional<std::string> found;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir == "/" ? "/" + name : dir + "/" + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (accept(path, st)) {
      found = path;
      break;
    }
  }
  ::closedir(d);
  return found;
}

}  // namespace

std::optional<std::string> findByInode(const std::string& dir, uint64_t dev, uint64_t ino) {
  return scanDir(dir, [&](const std::string&, const struct stat& st) {
    return st.st_dev == dev && st.st_ino == ino;
  });
}

std::optional<std::string> findCopy(const std::string& dir, const Fingerprint& fp,
                                    uint64_t min_size, uint64_t except_ino) {
  if (fp.len < kMinCopyFingerprintBytes) return std::nullopt;
  return scanDir(dir, [&](const std::string& path, const struct stat& st) {
    if (st.st_ino == except_ino || static_cast<uint64_t>(st.st_size) < min_size) return false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool same = fingerprintMatches(fd, fp);
    ::close(fd);
    return same;
  });
}

}  // namespace homeo
