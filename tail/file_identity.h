#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace homeo {

// A file's content identity: a hash of its first bytes. It grows with the file up to
// kFingerprintBytes, so it exists for short files too; a renamed file keeps it, a
// copytruncate copy shares it with what the original held, a reused inode has another.
struct Fingerprint {
  uint32_t len = 0;
  uint64_t hash = 0;
  bool operator==(const Fingerprint&) const = default;
};

constexpr uint32_t kFingerprintBytes = 512;
// Shorter fingerprints are too likely to be shared by unrelated files (a common header line)
// to identify a copy by content alone.
constexpr uint32_t kMinCopyFingerprintBytes = 64;

// The hashes of every prefix of a file's first kFingerprintBytes bytes: a fingerprint taken
// when the file (or the file it copies) was shorter is checked against the right length.
class ContentPrefix {
 public:
  // Of a file's first bytes (only the first kFingerprintBytes count).
  static ContentPrefix of(std::string_view first_bytes);
  // nullopt on a read error.
  static std::optional<ContentPrefix> read(int fd);
  // The fingerprint of all of it (what readFingerprint gives).
  Fingerprint fingerprint() const { return {len_, hashes_[len_]}; }
  // Whether its first fp.len bytes hash to fp.hash (always false for fp.len 0).
  bool startsWith(const Fingerprint& fp) const {
    return fp.len > 0 && fp.len <= len_ && hashes_[fp.len] == fp.hash;
  }

 private:
  uint32_t len_ = 0;
  std::array<uint64_t, kFingerprintBytes + 1> hashes_{};
};

// The fingerprint of the first min(file size, max_len) bytes of fd; nullopt on a read error.
std::optional<Fingerprint> readFingerprint(int fd, uint32_t max_len = kFingerprintBytes);

// Whether the first fp.len bytes of fd still hash to fp.hash.
bool fingerprintMatches(int fd, const Fingerprint& fp);

// A regular file in dir with this device and inode (a rotated name), if any.
std::optional<std::string> findByInode(const std::string& dir, uint64_t dev, uint64_t ino);

// A regular file in dir, other than inode `except_ino`, of at least `min_size` bytes whose
// first bytes match fp: the copy logrotate's copytruncate made of a file before truncating it.
std::optional<std::string> findCopy(const std::string& dir, const Fingerprint& fp,
                                    uint64_t min_size, uint64_t except_ino);

std::string dirName(const std::string& path);

}  // namespace homeo
