#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace homeo {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as in iSCSI, ext4 and RFC 3720:
// crc32c("123456789") == 0xE3069283. A table-driven software version: it checks spool batches
// as they are read back, where the disk read dominates.
namespace crc32c_detail {
constexpr std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}
inline constexpr std::array<uint32_t, 256> kTable = makeTable();
}  // namespace crc32c_detail

// Extends `crc` (the value returned for the data before) over `data`.
constexpr uint32_t crc32c(std::string_view data, uint32_t crc = 0) {
  crc = ~crc;
  for (unsigned char c : data) crc = crc32c_detail::kTable[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

static_assert(crc32c("123456789") == 0xE3069283u);

}  // namespace homeo
