#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tail/discovery.h"
#include "tail_test_util.h"

using namespace homeo;
using homeo::testing::appendTo;
using homeo::testing::runUntil;
using homeo::testing::ScratchDir;

namespace {

struct Fixture {
  boost::asio::io_context io;
  ScratchDir dir;
  std::vector<config::InputConfig> inputs;
  SerialWorker worker;
  std::vector<std::pair<std::set<std::string>, bool>> scans;
  std::vector<std::string> modified;
  int polls = 0;
  std::unique_ptr<Discovery> discovery;

  explicit Fixture(bool poll = false) {
    config::InputConfig in;
    in.paths = {dir.path + "/*.log"};
    in.exclude = {"*.gz"};
    in.poll = poll;
    inputs.push_back(in);
    discovery = std::make_unique<Discovery>(
        io.get_executor(), inputs, worker,
        Discovery::Listener{[this](const PathScan& scan, bool initial) {
                              std::set<std::string> names;
                              for (const auto& f : scan.files) {
                                names.insert(std::filesystem::path(f.path).filename());
                              }
                              scans.emplace_back(names, initial);
                            },
                            [this](const std::string& path) { modified.push_back(path); },
                            [this] { ++polls; }});
  }
  ~Fixture() {
    discovery.reset();
    worker.stop();
  }
};

}  // namespace

TEST_CASE("discovery: the first scan runs at start, later ones on the worker", "[discovery]") {
  Fixture fx;
  appendTo(fx.dir / "a.log", "x\n");
  appendTo(fx.dir / "old.log.gz", "x\n");
  fx.discovery->start();
  REQUIRE(fx.scans.size() == 1);  // before start() returned
  CHECK(fx.scans[0].second);
  CHECK(fx.scans[0].first == std::set<std::string>{"a.log"});
  CHECK_FALSE(fx.discovery->polling());
  CHECK(fx.discovery->watchCount() == 1);

  appendTo(fx.dir / "b.log", "y\n");  // a creation: rescanned
  REQUIRE(runUntil(fx.io,
                   [&] { return fx.scans.size() >= 2 && fx.scans.back().first.count("b.log"); }));
  CHECK_FALSE(fx.scans.back().second);

  appendTo(fx.dir / "a.log", "more\n");  // a write: said as such
  REQUIRE(runUntil(fx.io, [&] {
    return std::find(fx.modified.begin(), fx.modified.end(), fx.dir / "a.log") != fx.modified.end();
  }));
}

TEST_CASE("discovery: rescans asked for while one runs are folded into one more", "[discovery]") {
  Fixture fx;
  fx.discovery->start();
  const size_t before = fx.discovery->scans();
  for (int i = 0; i < 20; ++i) fx.discovery->rescan();
  REQUIRE(runUntil(fx.io, [&] { return fx.discovery->scans() >= before + 2; }));
  fx.io.restart();
  fx.io.run_for(std::chrono::milliseconds(50));
  CHECK(fx.discovery->scans() == before + 2);
}

TEST_CASE("discovery: a polled input is polled and rescanned without inotify", "[discovery]") {
  Fixture fx(/*poll=*/true);
  fx.discovery->start();
  CHECK(fx.discovery->polling());
  CHECK(fx.discovery->watchCount() == 0);
  appendTo(fx.dir / "c.log", "z\n");
  REQUIRE(runUntil(
      fx.io, [&] { return fx.polls > 0 && fx.scans.back().first.count("c.log"); },
      std::chrono::seconds(3)));
}
