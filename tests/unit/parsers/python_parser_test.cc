#include <catch2/catch.hpp>

#include "parsers/python/python_parser.h"
#include "tests/unit/parsers/parse_helpers.h"

using namespace homeo;

TEST_CASE("python: default logging format with a traceback", "[python]") {
  auto p = makePythonParser();
  ErrorRecord r;
  const char* ev =
      "2024-02-03 10:11:12,345 - shop.orders - ERROR - could not price basket 17\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/shop/views.py\", line 88, in checkout\n"
      "    total = price(basket)\n"
      "  File \"/srv/shop/pricing.py\", line 12, in price\n"
      "    return rates[basket.region]\n"
      "KeyError: 'eu-north'";
  REQUIRE(test::parseEvent(*p, ev, r) == ParseStatus::kRecord);
  CHECK(r.level == Level::kError);
  CHECK(r.module == "shop.orders");
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "'eu-north'");
  CHECK(topLevelMessage(r) == "KeyError: 'eu-north'");
  CHECK(r.language == "python");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.front().file == "/srv/shop/views.py");
  CHECK(r.frames.back().file == "/srv/shop/pricing.py");
  CHECK(r.frames.back().line == 12);
  CHECK(r.frames.back().function == "price");
  CHECK(r.traceback.size() == 6);
  CHECK(formatRfc3339(r.time).substr(0, 4) == "2024");
  const JsonValue* logged = findField(r.context, "log_message");
  REQUIRE(logged);
  CHECK(*logged->asString() == "could not price basket 17");
}

TEST_CASE("python: chained exceptions report the last one", "[python]") {
  auto p = makePythonParser();
  ErrorRecord r;
  const char* ev =
      "2024-02-03 10:11:12,345 - worker - ERROR - job failed\n"
      "Traceback (most recent call last):\n"
      "  File \"/w/a.py\", line 3, in run\n"
      "ValueError: bad input\n"
      "\n"
      "During handling of the above exception, another exception occurred:\n"
      "\n"
      "Traceback (most recent call last):\n"
      "  File \"/w/b.py\", line 9, in handle\n"
      "  File \"/w/c.py\", line 21, in report\n"
      "ConnectionError: mail server gone";
  REQUIRE(test::parseEvent(*p, ev, r) == ParseStatus::kRecord);
  CHECK(r.exception_type == "ConnectionError");
  CHECK(r.message == "mail server gone");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "/w/c.py");
  CHECK(r.frames.back().line == 21);
  // The whole chain stays in the traceback.
  CHECK(r.traceback.front() == "Traceback (most recent call last):");
  CHECK(r.traceback.back() == "ConnectionError: mail server gone");
}

TEST_CASE("python: header variants", "[python]") {
  auto p = makePythonParser();
  CHECK(p->probe("2024-02-03 10:11:12,345 - a.b - INFO - hello") >= 90);
  CHECK(p->probe("ERROR:root:disk full") > 0);
  CHECK(p->probe("[2024-02-03 10:11:12,345] ERROR in app: Exception on /x [GET]") > 0);
  CHECK(p->probe("2024-02-03 10:11:12,345 WARNING celery.worker: retrying") > 0);
  CHECK(p->probe("just some words") == 0);
  CHECK(p->probe("  File \"/x.py\", line 1, in f") == 0);

  ErrorRecord r;
  REQUIRE(test::parseEvent(*p, "ERROR:root:disk full", r) == ParseStatus::kRecord);
  CHECK(r.module == "root");
  CHECK(r.message == "disk full");

  ErrorRecord flask;
  REQUIRE(test::parseEvent(*p, "[2024-02-03 10:11:12,345] ERROR in app: Exception on /x [GET]",
                           flask) == ParseStatus::kRecord);
  CHECK(flask.module == "app");
  CHECK(flask.message == "Exception on /x [GET]");
}

TEST_CASE("python: below min level is cheap and empty", "[python]") {
  auto p = makePythonParser();
  ErrorRecord r;
  CHECK(test::parseEvent(*p, "2024-02-03 10:11:12,345 - a - INFO - fine", r, Level::kError) ==
        ParseStatus::kBelowLevel);
  CHECK(r.message.empty());
  CHECK(test::parseEvent(*p, "not a python line", r) == ParseStatus::kNotMatched);
}
