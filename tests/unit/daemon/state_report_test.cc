#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include "daemon/state_report.h"
#include "tail/checkpoint_file.h"
#include "transports/spool_file.h"

using namespace homeo;

namespace {

std::string tempDir() {
  char tmpl[] = "/tmp/homeo-state-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

void write(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  REQUIRE(out.good());
}

}  // namespace

TEST_CASE("state report: a missing state_dir is created by run", "[check]") {
  const StateReport r = inspectState(tempDir() + "/state", {"file"});
  CHECK(r.dir_state == StateReport::Dir::kMissing);
  CHECK(formatStateReport(r).ends_with(": missing; run creates it\n"));
}

TEST_CASE("state report: checkpoints and spools, read without changing them", "[check]") {
  const std::string dir = tempDir();
  CheckpointFile cp;
  cp.files[{1, 2}] = {1, 2, 30, 0, 0, "/var/log/a.log"};
  cp.journals["system:"] = {};
  write(dir + "/checkpoints", formatCheckpoints(cp));
  const std::string spool = dir + "/spool/1-http";
  REQUIRE(::mkdir((dir + "/spool").c_str(), 0750) == 0);
  REQUIRE(::mkdir(spool.c_str(), 0750) == 0);
  REQUIRE(::mkdir((spool + "/quarantine").c_str(), 0750) == 0);
  REQUIRE(::mkdir((dir + "/spool/4-kafka").c_str(), 0750) == 0);
  const std::string body = "{\"n\":1}\n";
  const std::string good = spoolHeader(body) + body;
  write(spool + "/" + spoolFileName(2, 1), good);
  write(spool + "/" + spoolFileName(3, 1), good.substr(0, good.size() - 2));
  write(spool + "/" + spoolFileName(4, 1) + ".tmp", "half");
  write(spool + "/quarantine/" + spoolFileName(1, 1), "junk");

  const StateReport r = inspectState(dir, {"file", "http"});
  CHECK(r.dir_state == StateReport::Dir::kExists);
  CHECK(r.checkpoints == StateReport::Checkpoints::kReadable);
  CHECK(r.files == 1);
  CHECK(r.journals == 1);
  REQUIRE(r.spools.size() == 3);
  CHECK_FALSE(r.spools[0].exists);
  CHECK(r.spools[1].waiting == 1);
  CHECK(r.spools[1].waiting_bytes == good.size());
  REQUIRE(r.spools[1].failing.size() == 1);
  CHECK(r.spools[1].failing[0].second == "cut short: 6 of 8 bytes");
  CHECK(r.spools[1].quarantined == std::vector<std::string>{spoolFileName(1, 1)});
  CHECK_FALSE(r.spools[2].configured);
  CHECK(formatStateReport(r) ==
        "state_dir " + dir +
            ": exists\n"
            "  checkpoints: readable, tracks 1 file and 1 journal input\n"
            "  spool 0-file: none\n"
            "  spool 1-http: 1 batch waiting (" +
            std::to_string(good.size()) +
            " bytes), 1 failing their check, 1 quarantined\n"
            "    failing 0000000000000003-1.ndjson: cut short: 6 of 8 bytes\n"
            "    quarantined 0000000000000001-1.ndjson\n"
            "  spool 4-kafka: (no transport of this config) empty\n");
  // Nothing was moved or set aside.
  CHECK(::access((spool + "/" + spoolFileName(3, 1)).c_str(), F_OK) == 0);
  CHECK(::access((spool + "/" + spoolFileName(4, 1) + ".tmp").c_str(), F_OK) == 0);
}

TEST_CASE("state report: a damaged checkpoint file says what is wrong", "[check]") {
  const std::string dir = tempDir();
  write(dir + "/checkpoints", "homeostasisd-checkpoints v2\nend 2\n");
  write(dir + "/checkpoints.corrupt", "older");
  const StateReport r = inspectState(dir, {});
  CHECK(r.checkpoints == StateReport::Checkpoints::kDamaged);
  CHECK(r.corrupt_aside);
  const std::string text = formatStateReport(r);
  CHECK(text.find("  checkpoints: damaged (line 2: its trailer counts 2 checkpoints, the file "
                  "holds 0); run sets it aside") != std::string::npos);
  CHECK(text.find("  checkpoints.corrupt: a damaged file set aside by an earlier run\n") !=
        std::string::npos);
  CHECK(::access((dir + "/checkpoints").c_str(), F_OK) == 0);
}
