#include <catch2/catch.hpp>

#include <string>

#include "tail/checkpoint_file.h"

using namespace homeo;

namespace {

CheckpointFile sample() {
  CheckpointFile f;
  f.files[{1, 2}] = {1, 2, 300, 64, 0xabcdef, "/var/log/a.log", 10, 64, 0x1234};
  f.files[{1, 3}] = {1, 3, 0, 0, 0, "/var/log/with\ttab.log"};
  return f;
}

std::string why(std::string_view text) {
  CheckpointFile out;
  std::string error;
  if (parseCheckpoints(text, out, &error)) return "ok";
  CHECK(out.files.empty());
  CHECK(out.journals.empty());
  return error;
}

}  // namespace

TEST_CASE("checkpoint file: format and parse round trip", "[checkpoint]") {
  const CheckpointFile f = sample();
  const std::string text = formatCheckpoints(f);
  CHECK(text.starts_with("homeostasisd-checkpoints v2\n"));
  CHECK(text.ends_with("end 2\n"));
  CheckpointFile back;
  std::string error;
  REQUIRE(parseCheckpoints(text, back, &error));
  CHECK(back == f);
}

TEST_CASE("checkpoint file: journals make it v3 and come back", "[checkpoint]") {
  CheckpointFile f = sample();
  f.journals["system:nginx.service"] = {"s=r1", "s=d1", 1700000000000000, {"s=h1", "s=h2"}};
  const std::string text = formatCheckpoints(f);
  CHECK(text.starts_with("homeostasisd-checkpoints v3\n"));
  CheckpointFile back;
  std::string error;
  REQUIRE(parseCheckpoints(text, back, &error));
  CHECK(back == f);
}

TEST_CASE("checkpoint file: v1 files (without the previous content) are read", "[checkpoint]") {
  CheckpointFile back;
  std::string error;
  REQUIRE(
      parseCheckpoints("homeostasisd-checkpoints v1\n7\t8\t90\t64\t00000000000000ff\t/a b\n"
                       "end 1\n",
                       back, &error));
  REQUIRE(back.files.size() == 1);
  const Checkpoint& c = back.files.at({7, 8});
  CHECK(c.offset == 90);
  CHECK(c.fp_hash == 0xff);
  CHECK(c.path == "/a b");
  CHECK(c.prev_fp_len == 0);
}

TEST_CASE("checkpoint file: damage is reported with its line", "[checkpoint]") {
  const std::string good = formatCheckpoints(sample());
  CHECK(why("") == "empty file");
  CHECK(why("hello\n") == "line 1: not a checkpoint file header");
  CHECK(why(good.substr(0, good.size() / 2)).starts_with("cut short after line"));
  CHECK(why(good.substr(0, good.size() - 7)) == "cut short after line 3 (no trailer)");
  CHECK(why("homeostasisd-checkpoints v2\nend 1\n") ==
        "line 2: its trailer counts 1 checkpoints, the file holds 0");
  CHECK(why("homeostasisd-checkpoints v2\nend one\n") == "line 2: a damaged trailer");
  CHECK(why("homeostasisd-checkpoints v2\n\nend 0\n") == "line 2: not a checkpoint");
  // A journal line in a v2 file, a journal line without its key.
  CHECK(why("homeostasisd-checkpoints v2\njournal\ta\tb\t1\t\tkey\nend 1\n") ==
        "line 2: not a checkpoint");
  CHECK(why("homeostasisd-checkpoints v3\njournal\ta\tb\t1\t\t\nend 1\n") ==
        "line 2: not a checkpoint");
  // The numbers are digits only: no sign, no spaces, nothing after them; the path not empty.
  CHECK(why("homeostasisd-checkpoints v1\n-1\t8\t90\t64\tff\t/a\nend 1\n") ==
        "line 2: not a checkpoint");
  CHECK(why("homeostasisd-checkpoints v1\n 1\t8\t90\t64\tff\t/a\nend 1\n") ==
        "line 2: not a checkpoint");
  CHECK(why("homeostasisd-checkpoints v1\n1\t8\t90x\t64\tff\t/a\nend 1\n") ==
        "line 2: not a checkpoint");
  CHECK(why("homeostasisd-checkpoints v1\n1\t8\t90\t64\tff\t\nend 1\n") ==
        "line 2: not a checkpoint");
  CHECK(why("homeostasisd-checkpoints v1\n1\t8\t90\t4294967296\tff\t/a\nend 1\n") ==
        "line 2: not a checkpoint");
}

TEST_CASE("checkpoint file: a last line without its newline still counts", "[checkpoint]") {
  std::string text = formatCheckpoints(sample());
  text.pop_back();
  CHECK(why(text) == "ok");
}
