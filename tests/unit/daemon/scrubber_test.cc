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

TEST_CASE("scrubber: every string of a frame", "[scrub]") {
  auto s = Scrubber::createDefault();
  ErrorRecord r;
  r.time = 1;
  r.frames = {{"/srv/app/token=ff00aa11bb22.py", 3, "run", 0, "Job$password=hunter2"}};
  setField(r.frames[0].extra, "locals", JsonValue(JsonObject{{"api_key", "ak-value-3"}}));
  s->scrubRecord(r);
  std::string out;
  serializeRecord(r, out);
  CHECK(out.find("ff00aa11bb22") == std::string::npos);
  CHECK(out.find("hunter2") == std::string::npos);
  CHECK(out.find("ak-value-3") == std::string::npos);
  CHECK(out.find("\"function\":\"run\"") != std::string::npos);
}

namespace {

// Scrubs `text` with the default rules and returns it.
std::string scrubbed(std::string text) {
  static auto s = Scrubber::createDefault();
  s->scrub(text);
  return text;
}

}  // namespace

// A Homeostasis record brings frames with their locals and globals, its own call_location and
// error_details keys: strings the record did not have before it read such sources.
TEST_CASE("scrubber: a source record's frame locals and extra keys", "[scrub]") {
  auto s = Scrubber::createDefault();
  ErrorRecord r;
  Frame f("/srv/shop/db.py", 12, "connect", 0, "Pool");
  setField(f.extra, "locals",
           JsonValue(JsonObject{{"dsn", JsonValue("postgres://svc:s3cr3tpw@db:5432/shop")},
                                {"api_key", JsonValue("zzz999")},
                                {"retries", JsonValue("3")}}));
  r.frames.push_back(std::move(f));
  setField(r.extra, "call_location",
           JsonValue(JsonObject{{"file", JsonValue("token=abc123def456")}}));
  setField(r.details_extra, "note", JsonValue("password=hunter2"));
  s->scrubRecord(r);
  std::string out;
  serializeRecord(r, out);
  CHECK(out.find("s3cr3tpw") == std::string::npos);
  CHECK(out.find("zzz999") == std::string::npos);
  CHECK(out.find("abc123def456") == std::string::npos);
  CHECK(out.find("hunter2") == std::string::npos);
  CHECK(out.find(R"("retries":"3")") != std::string::npos);
  CHECK(out.find("/srv/shop/db.py") != std::string::npos);
}

TEST_CASE("scrubber: every built-in secret kind is masked", "[scrub]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"auth failed pwd=Pw0rd-one x", "Pw0rd-one"},
      {"PGPASSWORD='two words pw' x", "two words pw"},
      {R"({"db": {"password": "pw in json"}})", "pw in json"},
      {R"(msg "{\"api_key\":\"escapedkey123\"}")", "escapedkey123"},
      {R"(credentials: {"user": "u1", "pass": "nestedpw"})", "nestedpw"},
      {"client_secret: cs-abc-123", "cs-abc-123"},
      {"x-auth-token=tok987654", "tok987654"},
      {"auth=plainauthvalue", "plainauthvalue"},
      {"GET https://ann:urlpass99@api.example.com/x", "urlpass99"},
      {"Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"},
      {"Cookie: session=cookieval1; theme=dark", "cookieval1"},
      {"Set-Cookie: sid=setcookieval2; Path=/", "setcookieval2"},
      {"calling with bearer abcdefghij0123456789", "abcdefghij0123456789"},
      {"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU", "c2lnbmF0dXJl"},
      {"key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"},
      {"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"},
      {"gh ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", "ghp_ABCDEFGHIJ"},
      {"pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv", "github_pat_11ABC"},
      {"gl glpat-abcdefghij0123456789", "glpat-abcdefghij"},
      {"slack xoxb-123456789012-abcdefghijkl", "xoxb-123456789012"},
      {"hook https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX", "XXXXSECRETXXXX"},
      {"stripe sk_live_abcdefghijklmnop1234", "sk_live_abcdefgh"},
      {"stripe rk_live_abcdefghijklmnop1234", "rk_live_abcdefgh"},
      {"stripe sk_test_abcdefghijklmnop1234", "sk_test_abcdefgh"},
      {"key -----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEA\\n-----END RSA PRIVATE KEY----- x",
       "MIIEpAIBAAKCAQEA"},
      {"card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"},
      {"card 5500-0000-0000-0004 declined", "5500-0000-0000-0004"},
      {"amex 378282246310005", "378282246310005"},
  };
  for (const auto& [text, secret] : cases) {
    INFO(text);
    CHECK(scrubbed(text).find(secret) == std::string::npos);
  }
}

TEST_CASE("scrubber: look-alikes are left alone", "[scrub]") {
  for (const std::string text : {
           "the author=alice edited it",
           "monkey=george keyboard=us tokenizer=bert passwordless=true",
           "secretary=jane token_count=12 max_tokens=512",
           "order 4111111111111112 shipped",  // fails Luhn
           "at 1700000000123 ms",             // epoch milliseconds
           "http://example.com:8080/path@v2",
           "Password reset requested for MARKER_7",
       }) {
    INFO(text);
    CHECK(scrubbed(text) == text);
  }
}

TEST_CASE("scrubber: card numbers as they are written are masked", "[scrub][card]") {
  const std::pair<std::string, std::string> cases[] = {
      {"amex 3782 822463 10005 on file", "822463"},                  // Amex's 4-6-5 groups
      {"diners 3622 720627 1667", "720627"},                         // Diners' 4-6-4 groups
      {"mastercard 2223003122003222 accepted", "2223003122003222"},  // the 2-series
      {"card 6011-0009-9013-9420-007 declined", "9013"},             // 19 digits, 4-4-4-4-3
      {"pan=4012888888881881&amount=10", "4012888888881881"},
      {"{\"card\":\"4242424242424242\"}", "4242424242424242"},
      {"charge (4242424242424242) failed", "4242424242424242"},
      {"charged 4111111111111111.", "4111111111111111"},
      {"/v1/cards/4111111111111111/charge", "4111111111111111"},
      {"q=card%3D4111111111111111", "4111111111111111"},
      {"card 4111%201111%201111%201111", "1111%201111"},
  };
  for (const auto& [text, secret] : cases) {
    INFO(text);
    const std::string out = scrubbed(text);
    CHECK(out.find(secret) == std::string::npos);
    CHECK(out.find("[REDACTED]") != std::string::npos);
  }
}

TEST_CASE("scrubber: digits inside identifiers and timestamps are no card", "[scrub][card]") {
  for (const std::string text : {
           // Homeostasis' error ids: the type, a date-time (20240311194508 passes Luhn) and an id.
           "healing KeyError-20240311194508-140072514904288 started",
           "error_id=KeyError-20240311194508-140072514904288",
           "at 20240311194508",                                 // a date-time written alone
           "order ORD-4111111111111111 shipped",                // an order id
           "order 4111111111111111-2 shipped",                  // a sub-order
           "txn_4242424242424242 settled",                      // a token with an underscore
           "ratio 0.4242424242424242 and v1.4012888888881881",  // decimals and versions
           "file 4111111111111111.json written",
           "request 3f2a9c1e-4111-1111-1111-111111111111",         // a UUID's groups
           "trace 4111111111111111abcd and abcd4111111111111111",  // hex ids
           "epoch 1710186310123456 us",                            // epoch microseconds
       }) {
    INFO(text);
    CHECK(scrubbed(text) == text);
  }
}

TEST_CASE("scrubber: Luhn", "[scrub]") {
  CHECK(luhnValid("4111111111111111"));
  CHECK(luhnValid("4111-1111-1111-1111"));
  CHECK_FALSE(luhnValid("4111111111111112"));
  CHECK_FALSE(luhnValid("411111111111"));  // too short
}

TEST_CASE("scrubber: counters per rule, never values", "[scrub]") {
  auto s = Scrubber::createDefault();
  std::string a = "password=one password=two AKIAIOSFODNN7EXAMPLE";
  CHECK(s->scrub(a) == 3);
  CHECK(s->count("key_value") == 2);
  CHECK(s->count("aws_access_key") == 1);
  CHECK(s->count("jwt") == 0);
  ErrorRecord r;
  setField(r.context, "password", JsonValue("pw"));
  s->scrubRecord(r);
  CHECK(s->count("key_value") == 3);
  uint64_t total = 0;
  for (const auto& c : s->counters()) total += c.count;
  CHECK(total == 4);
}

TEST_CASE("scrubber: disabled built-in rules and custom rules", "[scrub]") {
  std::string error;
  auto s = Scrubber::create({"card_number"},
                            {{"order_email", R"([\w.+-]+@example\.com)", Scrubber::Action::kMask},
                             {"ticket", R"(TICKET-(?P<secret>\d+))", Scrubber::Action::kRemove},
                             {"user_id", R"(uid:(?P<secret>\w+))", Scrubber::Action::kHash}},
                            "k3y", &error);
  REQUIRE(s);
  std::string t = "card 4111 1111 1111 1111 mail ann@example.com TICKET-42 uid:alice uid:alice";
  s->scrub(t);
  CHECK(t.find("4111 1111 1111 1111") != std::string::npos);  // card rule off
  CHECK(t.find("ann@example.com") == std::string::npos);
  CHECK(t.find("mail [REDACTED]") != std::string::npos);
  CHECK(t.find("TICKET- ") != std::string::npos);
  CHECK(t.find("alice") == std::string::npos);
  const size_t h = t.find("uid:[HASH:");
  REQUIRE(h != std::string::npos);
  const std::string token = t.substr(h, 23);
  CHECK(token.back() == ']');
  CHECK(t.find(token, h + 1) != std::string::npos);  // one secret, one stable token
  CHECK(s->count("user_id") == 2);

  // A different key gives a different token.
  auto other = Scrubber::create(
      {}, {{"user_id", R"(uid:(?P<secret>\w+))", Scrubber::Action::kHash}}, "another", &error);
  REQUIRE(other);
  std::string u = "uid:alice";
  other->scrub(u);
  CHECK(u.find(token.substr(4)) == std::string::npos);
}

TEST_CASE("scrubber: what is judged once is judged the same each time", "[scrub]") {
  auto s = Scrubber::createDefault();
  for (int round = 0; round < 3; ++round) {
    std::string clean = "web01";
    CHECK(s->scrub(clean) == 0);
    CHECK(clean == "web01");
    std::string dirty = "password=hunter2";
    CHECK(s->scrub(dirty) == 1);
    CHECK(dirty == "password=[REDACTED]");
    ErrorRecord r;
    setField(r.context, "api_key", JsonValue("k-value"));
    setField(r.context, "hostname", JsonValue("web01"));
    s->scrubRecord(r);
    std::string out;
    serializeRecord(r, out);
    CHECK(out.find("k-value") == std::string::npos);
    CHECK(out.find("web01") != std::string::npos);
  }
  CHECK(s->count("key_value") == 6);
}

TEST_CASE("scrubber: the lines of a clean raw log, and of one with a secret", "[scrub]") {
  auto s = Scrubber::createDefault();
  ErrorRecord clean;
  clean.raw_log = "2024-03-11 ERROR boom\nTraceback (most recent call last):\nKeyError: 'x'";
  clean.message = "KeyError: 'x'";
  clean.traceback = {"Traceback (most recent call last):", "KeyError: 'x'"};
  s->scrubRecord(clean);
  CHECK(clean.message == "KeyError: 'x'");
  CHECK(clean.traceback[1] == "KeyError: 'x'");

  // A secret on one line of the raw log: the traceback's copy of that line is scrubbed too.
  ErrorRecord dirty;
  dirty.raw_log = "2024-03-11 ERROR boom\n    login(password='hunter2')\nKeyError: 'x'";
  dirty.traceback = {"    login(password='hunter2')", "KeyError: 'x'"};
  s->scrubRecord(dirty);
  CHECK(dirty.raw_log.find("hunter2") == std::string::npos);
  CHECK(dirty.traceback[0] == "    login(password='[REDACTED]')");
}

TEST_CASE("scrubber: a custom rule anchored to the text's start scans every line", "[scrub]") {
  std::string error;
  // "^" without (?m) is the start of the text: it matches the traceback's line, not the raw
  // log the line comes from.
  auto s =
      Scrubber::create({}, {{"leading_pin", R"(^PIN \d{4})", Scrubber::Action::kMask}}, "", &error);
  REQUIRE(s);
  ErrorRecord r;
  r.raw_log = "2024-03-11 ERROR boom\nPIN 1234";
  r.traceback = {"PIN 1234"};
  s->scrubRecord(r);
  CHECK(r.raw_log == "2024-03-11 ERROR boom\nPIN 1234");
  CHECK(r.traceback[0] == "[REDACTED]");
}

TEST_CASE("scrubber: bad rules are refused", "[scrub]") {
  std::string error;
  CHECK_FALSE(Scrubber::create({"no_such_rule"}, {}, "", &error));
  CHECK(error.find("no_such_rule") != std::string::npos);
  CHECK_FALSE(Scrubber::create({}, {{"bad", "(unclosed", Scrubber::Action::kMask}}, "", &error));
  CHECK(error.find("bad") != std::string::npos);
  CHECK_FALSE(Scrubber::create({}, {{"h", "x+", Scrubber::Action::kHash}}, "", &error));
  CHECK_FALSE(Scrubber::create({}, {{"jwt", "x+", Scrubber::Action::kMask}}, "", &error));
}
