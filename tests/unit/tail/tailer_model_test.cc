// A model-based test of the tailing pieces together (Tailer, FileFollower, Discovery,
// decideStart, CheckpointTracker), in the manner of Vector's file-source model tests: random
// sequences of writes, rename and copytruncate rotations, deletions, clean restarts and kills
// (some of them sleeping through rotations) against a model of what must be read: every line
// written is delivered, a clean restart repeats nothing, and each kill repeats at most one
// batch.
//
// HOMEO_MODEL_SEQUENCES sets how many sequences run (default 25); HOMEO_MODEL_SEED the first
// seed (each sequence's seed is printed when it fails).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "tailer_harness.h"

using namespace homeo;
using homeo::testing::TailerHarness;

namespace {

size_t envNumber(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? static_cast<size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

enum class Action { kWrite, kRename, kCopyTruncate, kDelete, kRestart, kKill, kPause };

const char* actionName(Action a) {
  switch (a) {
    case Action::kWrite:
      return "write";
    case Action::kRename:
      return "rename";
    case Action::kCopyTruncate:
      return "copytruncate";
    case Action::kDelete:
      return "delete";
    case Action::kRestart:
      return "restart";
    case Action::kKill:
      return "kill";
    case Action::kPause:
      return "pause";
  }
  return "?";
}

// One random sequence; returns the kills it made.
size_t runSequence(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  // Whether the globs match the rotated names (the README's advice) or only the live file.
  const bool rotated_matched = chance(50);
  TailerHarness h(
      {rotated_matched ? std::vector<std::string>{"app.log*"} : std::vector<std::string>{"app.log"},
       1 + rng() % 6});
  std::string& trace = h.trace;
  trace =
      "seed " + std::to_string(seed) + (rotated_matched ? ": globs app.log*;" : ": globs app.log;");
  std::deque<std::string> rotated;  // oldest first
  int next_rotation = 1;
  size_t kills = 0;
  h.start();
  const int actions = 8 + static_cast<int>(rng() % 16);
  for (int i = 0; i < actions; ++i) {
    const int roll = static_cast<int>(rng() % 100);
    Action a = roll < 40   ? Action::kWrite
               : roll < 52 ? Action::kRename
               : roll < 64 ? Action::kCopyTruncate
               : roll < 70 ? Action::kDelete
               : roll < 78 ? Action::kRestart
               : roll < 88 ? Action::kKill
                           : Action::kPause;
    trace += " ";
    trace += actionName(a);
    switch (a) {
      case Action::kWrite:
        h.write("app.log", 1 + static_cast<int>(rng() % 12));
        break;
      case Action::kRename:
      case Action::kCopyTruncate: {
        if (!std::filesystem::exists(h.log("app.log"))) break;
        if (!rotated_matched) {
          // With globs that miss the rotated names, a file rotated before the daemon knew it
          // (its checkpoint on disk) is out of sight: the README's advice is to match them.
          if (!h.running()) break;
          h.sync();
        }
        const std::string name = "app.log." + std::to_string(next_rotation++);
        if (a == Action::kRename) {
          std::filesystem::rename(h.log("app.log"), h.log(name));
        } else {
          std::ofstream(h.log(name)) << homeo::testing::readAll(h.log("app.log"));
          homeo::testing::truncateFile(h.log("app.log"));
        }
        rotated.push_back(name);
        break;
      }
      case Action::kDelete:
        // Only what was read: deleting unread lines loses them, as it would for anyone.
        if (rotated.empty() || !h.running()) break;
        h.sync();
        std::filesystem::remove(h.log(rotated.front()));
        rotated.pop_front();
        break;
      case Action::kRestart:
        if (!h.running()) break;
        h.stop();
        h.start();
        break;
      case Action::kKill: {
        if (!h.running()) break;
        // Somewhere in the middle of reading and delivering.
        const int steps = static_cast<int>(rng() % 6);
        for (int s = 0; s < steps; ++s) h.step();
        h.kill();
        ++kills;
        // Stopped for a while: what happens meanwhile is found at the next start.
        if (chance(40)) {
          trace += "(down)";
          break;
        }
        h.start();
        break;
      }
      case Action::kPause: {
        const int steps = 1 + static_cast<int>(rng() % 8);
        for (int s = 0; s < steps; ++s) h.step();
        break;
      }
    }
    if (!h.running() && a != Action::kKill) h.start();
  }
  if (!h.running()) h.start();
  h.sync();
  INFO(h.report());
  CHECK(h.missing().empty());
  CHECK(h.duplicates() <= kills * h.batchSize());
  return kills;
}

}  // namespace

TEST_CASE("tailer model: random rotations, restarts and kills read every line once",
          "[tailer][model]") {
  const size_t sequences = envNumber("HOMEO_MODEL_SEQUENCES", 25);
  const uint64_t first = envNumber("HOMEO_MODEL_SEED", 20261202);
  size_t kills = 0;
  for (size_t i = 0; i < sequences; ++i) {
    kills += runSequence(first + i);
  }
  // Shown in the test's output so that a run says how much it tried.
  std::printf("tailer model: %zu sequences run (seeds %llu..%llu), %zu kills\n", sequences,
              static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(first + sequences - 1), kills);
  CHECK(sequences > 0);
}
