#include <catch2/catch.hpp>

#include "daemon/scrub/scrubber.h"

using namespace homeo;

TEST_CASE("scrubber: secrets in text are masked, neighbours kept", "[scrub]") {
  auto s = Scrubber::createDefault();
  REQUIRE(s);
  std::string t = "login failed user=ann password=hunter2 marker=KEEP1";
  CHECK(s->scrub(t) == 1);
  CHECK(t.find("hunter2") == std::string::npos);
  CHECK(t.find("KEEP1") != std::string::npos);
  CHECK(t.find("user=ann") != std::string::npos);

  std::string url = "connect postgres://svc:s3cr3tpw@db:5432/x failed";
  s->scrub(url);
  CHECK(url.find("s3cr3tpw") == std::string::npos);
  CHECK(url.find("postgres://svc:") != std::string::npos);

  std::string hdr = "headers: Authorization: Bearer abcdefghijklmnop123";
  s->scrub(hdr);
  CHECK(hdr.find("abcdefghijklmnop123") == std::string::npos);

  std::string aws = "key AKIAIOSFODNN7EXAMPLE used";
  s->scrub(aws);
  CHECK(aws.find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);

  std::string plain = "the author pressed a keyboard key in the monkey house";
  CHECK(s->scrub(plain) == 0);
  CHECK(plain == "the author pressed a keyboard key in the monkey house");
}

TEST_CASE("scrubber: whole record, JSON keys", "[scrub]") {
  auto s = Scrubber::createDefault();
  ErrorRecord r;
  r.message = "token=abc123def456";
  r.raw_log = "token=abc123def456 KEEP2";
  r.traceback = {"  File \"/a.py\", line 1, in f", "ValueError: api_key=zzz999"};
  setField(r.context, "db_password", JsonValue("pw-value-1"));
  setField(r.context, "author", JsonValue("KEEP3"));
  JsonObject nested;
  setField(nested, "client_secret", JsonValue("cs-value-2"));
  setField(r.context, "nested", JsonValue(std::move(nested)));
  s->scrubRecord(r);
  std::string out;
  serializeRecord(r, out);
  CHECK(out.find("abc123def456") == std::string::npos);
  CHECK(out.find("zzz999") == std::string::npos);
  CHECK(out.find("pw-value-1") == std::string::npos);
  CHECK(out.find("cs-value-2") == std::string::npos);
  CHECK(out.find("KEEP2") != std::string::npos);
  CHECK(out.find("KEEP3") != std::string::npos);
}
