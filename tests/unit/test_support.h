#pragma once

#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>

// What the unit tests of several folders share: a scratch directory and bounded waits on the
// loop instead of sleeps.
namespace homeo::testing {

// Runs the loop in short bounded slices until `pred` holds or `limit` passes.
template <typename Pred>
bool runUntil(boost::asio::io_context& io, Pred pred,
              std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Runs every handler that is ready now, without waiting.
inline void runReady(boost::asio::io_context& io) {
  io.restart();
  io.poll();
}

// The whole of a file ("" when it cannot be read).
inline std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A temporary directory, removed with what it holds.
struct ScratchDir {
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "homeo-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  // Regular files under path/sub, recursively.
  size_t files(const std::string& sub) const {
    size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path + "/" + sub)) {
      n += e.is_regular_file();
    }
    return n;
  }
  std::string path;
};

}  // namespace homeo::testing
