// The default layouts of Python's servers and task queues, written as they log: the header
// and the traceback below it are one record, with the header's time, level and module, the
// exception's own message in `message` and the logged sentence in context.log_message.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/json.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "parsers/parser_set.h"
#include "tests/unit/parsers/parse_helpers.h"

namespace homeo {
namespace {

using test::num;
using test::readSource;
using test::str;

// A traceback as Python prints it below a header, ending in `exception`.
std::vector<std::string> withTrace(std::vector<std::string> lines, const std::string& app_file,
                                   const std::string& exception) {
  lines.push_back("Traceback (most recent call last):");
  lines.push_back(
      "  File \"/usr/lib/python3.11/site-packages/framework/core.py\", line 55, in run");
  lines.push_back("    return handler(request)");
  lines.push_back("  File \"" + app_file + "\", line 42, in handle");
  lines.push_back("    return table[key]");
  lines.push_back(exception);
  return lines;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

std::string rfc3339(const ErrorRecord& r) { return formatRfc3339(r.time); }

}  // namespace

TEST_CASE("Django's verbose format: the header and its traceback are one record",
          "[python][servers][django]") {
  std::vector<std::string> lines = {
      "INFO 2024-03-11 19:45:09,812 autoreload 4242 140234567890 Watching for file changes with "
      "StatReloader",
  };
  append(lines, withTrace({"ERROR 2024-03-11 19:45:10,123 log 4242 140234567891 Internal Server "
                           "Error: /orders/7/pay"},
                          "/srv/shop/orders/views.py", "KeyError: 'card'"));
  lines.push_back("WARNING 2024-03-11 19:45:11,001 log 4242 140234567891 Not Found: /favicon.ico");
  const auto run = readSource(lines, Level::kWarning);
  CHECK(run.format == "python");
  REQUIRE(run.records.size() == 2);
  const ErrorRecord& r = run.records[0];
  CHECK(rfc3339(r).starts_with("2024-03-11T19:45:10.123"));
  CHECK(r.level == Level::kError);
  CHECK(r.module == "log");
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "'card'");
  CHECK(str(r.context, "log_message") == "Internal Server Error: /orders/7/pay");
  CHECK(str(r.request_info, "path") == "/orders/7/pay");
  CHECK(num(r.response_info, "status_code") == 500);
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "/srv/shop/orders/views.py");
  const ErrorRecord& missing = run.records[1];
  CHECK(missing.level == Level::kWarning);
  CHECK(num(missing.response_info, "status_code") == 404);
  CHECK(missing.message == "Not Found: /favicon.ico");
}

TEST_CASE("Django's default output under runserver: the bare message owns its traceback",
          "[python][servers][django]") {
  std::vector<std::string> lines = {
      "Watching for file changes with StatReloader",
      "[11/Mar/2024 19:45:09] \"GET /orders HTTP/1.1\" 200 5120",
  };
  append(lines, withTrace({"Internal Server Error: /orders/7/pay"}, "/srv/shop/orders/views.py",
                          "KeyError: 'card'"));
  lines.push_back("[11/Mar/2024 19:45:10] \"POST /orders/7/pay HTTP/1.1\" 500 145");
  const auto run = readSource(lines);
  REQUIRE(run.records.size() == 2);
  const ErrorRecord& r = run.records[0];
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "'card'");
  CHECK(str(r.context, "log_message") == "Internal Server Error: /orders/7/pay");
  CHECK(str(r.request_info, "path") == "/orders/7/pay");
  CHECK(num(r.response_info, "status_code") == 500);
  CHECK(r.traceback.size() == 6);
  const ErrorRecord& request = run.records[1];
  CHECK(str(request.request_info, "method") == "POST");
  CHECK(num(request.response_info, "status_code") == 500);
  CHECK(rfc3339(request).starts_with("2024-03-11T19:45:10"));

  // Request lines alone stay the access_log format's.
  const auto access = readSource({"[11/Mar/2024 19:45:09] \"GET /orders HTTP/1.1\" 200 5120",
                                  "[11/Mar/2024 19:45:10] \"GET /x HTTP/1.1\" 502 10"});
  CHECK(access.format == "access_log");
  CHECK(access.records.size() == 1);
}

TEST_CASE("Django's bare request errors in free text are read as errors with their request",
          "[python][servers][django][text]") {
  std::vector<std::string> lines = {
      "Performing system checks...",
      "System check identified no issues (0 silenced).",
      "Django version 5.0.3, using settings 'shop.settings'",
      "Starting development server at http://127.0.0.1:8000/",
      "Quit the server with CONTROL-C.",
  };
  append(lines, withTrace({"Internal Server Error: /orders/7/pay"}, "/srv/shop/orders/views.py",
                          "KeyError: 'card'"));
  lines.push_back("Not Found: /favicon.ico");
  const auto run = readSource(lines, Level::kWarning);
  CHECK(run.format == "text");
  REQUIRE(run.records.size() == 2);
  const ErrorRecord& r = run.records[0];
  CHECK(r.level == Level::kError);
  CHECK(r.exception_type == "KeyError");
  CHECK(str(r.context, "log_message") == "Internal Server Error: /orders/7/pay");
  CHECK(str(r.request_info, "path") == "/orders/7/pay");
  CHECK(num(r.response_info, "status_code") == 500);
  const ErrorRecord& missing = run.records[1];
  CHECK(missing.level == Level::kWarning);
  CHECK(missing.message == "Not Found: /favicon.ico");
  CHECK(num(missing.response_info, "status_code") == 404);
}

TEST_CASE("Celery worker: a failed task, its traceback, its name and id",
          "[python][servers][celery]") {
  std::vector<std::string> lines = {
      "[2024-03-11 19:45:00,020: INFO/MainProcess] celery@worker1 ready.",
      "[2024-03-11 19:45:10,100: INFO/MainProcess] Task app.tasks.charge"
      "[3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b] received",
  };
  append(lines, withTrace({"[2024-03-11 19:45:10,123: ERROR/ForkPoolWorker-2] Task "
                           "app.tasks.charge[3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b] raised "
                           "unexpected: KeyError('user_id')"},
                          "/srv/app/tasks.py", "KeyError: 'user_id'"));
  lines.push_back(
      "[2024-03-11 19:45:11,500: WARNING/ForkPoolWorker-1] app.tasks.sync"
      "[9c8b7a6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4]: remote answered slowly");
  append(lines, {"[2024-03-11 19:45:12,000: ERROR/MainProcess] Task handler raised error: "
                 "WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: 3.')",
                 "Traceback (most recent call last):",
                 "  File \"/usr/lib/python3/site-packages/billiard/pool.py\", line 1264, in "
                 "mark_as_worker_lost",
                 "    raise WorkerLostError(",
                 "billiard.exceptions.WorkerLostError: Worker exited prematurely: signal 9 "
                 "(SIGKILL) Job: 3."});
  const auto run = readSource(lines, Level::kWarning);
  CHECK(run.format == "python");
  REQUIRE(run.records.size() == 3);

  const ErrorRecord& failed = run.records[0];
  CHECK(rfc3339(failed).starts_with("2024-03-11T19:45:10.123"));
  CHECK(failed.level == Level::kError);
  CHECK(failed.exception_type == "KeyError");
  CHECK(failed.message == "'user_id'");
  CHECK(failed.module == "app.tasks.charge");
  CHECK(str(failed.context, "task_name") == "app.tasks.charge");
  CHECK(str(failed.context, "task_id") == "3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b");
  CHECK(str(failed.context, "process_name") == "ForkPoolWorker-2");
  CHECK(str(failed.context, "log_message") ==
        "Task app.tasks.charge[3f2a9c1e-8b7d-4e6f-a5c4-1b2d3e4f5a6b] raised unexpected: "
        "KeyError('user_id')");
  REQUIRE(failed.frames.size() == 2);
  CHECK(failed.frames.back().file == "/srv/app/tasks.py");

  // The task logger's own format: the task prefix is not part of the message.
  const ErrorRecord& slow = run.records[1];
  CHECK(slow.level == Level::kWarning);
  CHECK(slow.message == "remote answered slowly");
  CHECK(str(slow.context, "task_id") == "9c8b7a6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4");

  const ErrorRecord& lost = run.records[2];
  CHECK(lost.exception_type == "billiard.exceptions.WorkerLostError");
  CHECK(lost.message == "Worker exited prematurely: signal 9 (SIGKILL) Job: 3.");
  CHECK(str(lost.context, "process_name") == "MainProcess");
  CHECK(str(lost.context, "task_id") == "<missing>");
}

TEST_CASE("Celery beat: a schedule that could not be sent", "[python][servers][celery]") {
  std::vector<std::string> lines = {
      "[2024-03-11 19:45:00,001: INFO/MainProcess] beat: Starting...",
      "[2024-03-11 19:45:00,050: INFO/MainProcess] Scheduler: Sending due task cleanup "
      "(app.tasks.cleanup)",
  };
  append(lines, withTrace({"[2024-03-11 19:45:05,050: ERROR/MainProcess] Message Error: Couldn't "
                           "apply scheduled task cleanup: [Errno 111] Connection refused"},
                          "/usr/lib/python3/site-packages/celery/beat.py",
                          "kombu.exceptions.OperationalError: [Errno 111] Connection refused"));
  const auto run = readSource(lines);
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(rfc3339(r).starts_with("2024-03-11T19:45:05.050"));
  CHECK(r.exception_type == "kombu.exceptions.OperationalError");
  CHECK(r.message == "[Errno 111] Connection refused");
  CHECK(str(r.context, "log_message") ==
        "Message Error: Couldn't apply scheduled task cleanup: [Errno 111] Connection refused");
}

TEST_CASE("uvicorn: the ASGI exception and the request lines among its own",
          "[python][servers][uvicorn]") {
  std::vector<std::string> lines = {
      "INFO:     Started server process [4242]",
      "INFO:     Waiting for application startup.",
      "INFO:     Application startup complete.",
      "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
      "INFO:     172.18.0.1:40112 - \"GET /items/1 HTTP/1.1\" 200 OK",
  };
  append(lines,
         withTrace({"ERROR:    Exception in ASGI application"}, "/srv/api/main.py", "KeyError: 7"));
  lines.push_back(
      "INFO:     172.18.0.1:40114 - \"GET /items/7 HTTP/1.1\" 500 Internal Server Error");
  lines.push_back("WARNING:  Invalid HTTP request received.");
  const auto run = readSource(lines, Level::kWarning);
  CHECK(run.format == "python");
  REQUIRE(run.records.size() == 3);
  const ErrorRecord& r = run.records[0];
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "7");
  CHECK(str(r.context, "log_message") == "Exception in ASGI application");
  REQUIRE(r.frames.size() == 2);
  const ErrorRecord& request = run.records[1];
  CHECK(request.level == Level::kError);
  CHECK(str(request.request_info, "method") == "GET");
  CHECK(str(request.request_info, "path") == "/items/7");
  CHECK(str(request.request_info, "client_ip") == "172.18.0.1");
  CHECK(num(request.response_info, "status_code") == 500);
  CHECK(run.records[2].level == Level::kWarning);
  CHECK(run.records[2].message == "Invalid HTTP request received.");
}

TEST_CASE("gunicorn: a worker's exception with its traceback", "[python][servers][gunicorn]") {
  std::vector<std::string> lines = {
      "[2024-03-11 19:45:00 +0000] [1] [INFO] Starting gunicorn 21.2.0",
      "[2024-03-11 19:45:00 +0000] [7] [INFO] Booting worker with pid: 7",
  };
  append(lines, withTrace({"[2024-03-11 19:45:10 +0000] [7] [ERROR] Exception in worker process"},
                          "/srv/app/wsgi.py", "ModuleNotFoundError: No module named 'app'"));
  lines.push_back("[2024-03-11 19:45:10 +0000] [7] [INFO] Worker exiting (pid: 7)");
  const auto run = readSource(lines);
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(rfc3339(r) == "2024-03-11T19:45:10Z");
  CHECK(r.exception_type == "ModuleNotFoundError");
  CHECK(r.message == "No module named 'app'");
  CHECK(str(r.context, "log_message") == "Exception in worker process");
}

TEST_CASE("gunicorn with Django's bare messages: the second program's lines are its own",
          "[python][servers][gunicorn][django]") {
  std::vector<std::string> lines = {
      "[2024-03-11 19:45:00 +0000] [1] [INFO] Starting gunicorn 21.2.0",
      "[2024-03-11 19:45:00 +0000] [7] [INFO] Booting worker with pid: 7",
  };
  append(lines, withTrace({"Internal Server Error: /orders/7/pay"}, "/srv/shop/orders/views.py",
                          "KeyError: 'card'"));
  lines.push_back("[2024-03-11 19:45:13 +0000] [7] [INFO] Handling signal: term");
  const auto run = readSource(lines);
  CHECK(run.format == "generic");
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(r.format == "python");
  CHECK(r.exception_type == "KeyError");
  CHECK(str(r.context, "log_message") == "Internal Server Error: /orders/7/pay");
  CHECK(str(r.request_info, "path") == "/orders/7/pay");
}

TEST_CASE("Flask's development server: werkzeug's request lines and the app's exception",
          "[python][servers][flask]") {
  std::vector<std::string> lines = {
      " * Serving Flask app 'shop'",
      " * Debug mode: off",
      "WARNING: This is a development server. Do not use it in a production deployment. Use a "
      "production WSGI server instead.",
      " * Running on http://127.0.0.1:5000",
      "Press CTRL+C to quit",
      "127.0.0.1 - - [11/Mar/2024 19:45:09] \"GET / HTTP/1.1\" 200 -",
  };
  append(lines, withTrace({"[2024-03-11 19:45:10,123] ERROR in app: Exception on /checkout [POST]"},
                          "/srv/shop/app.py", "KeyError: 'total'"));
  lines.push_back("127.0.0.1 - - [11/Mar/2024 19:45:10] \"POST /checkout HTTP/1.1\" 500 -");
  lines.push_back("127.0.0.1 - - [11/Mar/2024 19:45:11] \"GET /nope HTTP/1.1\" 404 -");
  const auto run = readSource(lines, Level::kWarning);
  CHECK(run.format == "python");
  REQUIRE(run.records.size() == 3);
  const ErrorRecord& r = run.records[0];
  CHECK(rfc3339(r).starts_with("2024-03-11T19:45:10.123"));
  CHECK(r.module == "app");
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "'total'");
  CHECK(str(r.context, "log_message") == "Exception on /checkout [POST]");
  CHECK(str(r.request_info, "method") == "POST");
  const ErrorRecord& request = run.records[1];
  CHECK(request.level == Level::kError);
  CHECK(str(request.request_info, "client_ip") == "127.0.0.1");
  CHECK(str(request.request_info, "path") == "/checkout");
  CHECK(num(request.response_info, "status_code") == 500);
  CHECK(rfc3339(request).starts_with("2024-03-11T19:45:10"));
  CHECK(run.records[2].level == Level::kWarning);
  CHECK(num(run.records[2].response_info, "status_code") == 404);
}

TEST_CASE("Flask behind an access log: the app's lines are read as Python's",
          "[python][servers][flask]") {
  std::vector<std::string> lines;
  for (int i = 0; i < 12; ++i) {
    lines.push_back("10.0.0.7 - - [11/Mar/2024:19:45:0" + std::to_string(i % 10) +
                    " +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.29\"");
  }
  append(lines, withTrace({"[2024-03-11 19:45:10,123] ERROR in app: Exception on /checkout [POST]"},
                          "/srv/shop/app.py", "KeyError: 'total'"));
  const auto run = readSource(lines);
  CHECK(run.format == "access_log");
  REQUIRE(run.records.size() == 1);
  const ErrorRecord& r = run.records[0];
  CHECK(r.format == "python");
  CHECK(r.module == "app");
  CHECK(r.exception_type == "KeyError");
  CHECK(str(r.context, "log_message") == "Exception on /checkout [POST]");
  CHECK(str(r.request_info, "path") == "/checkout");
}

TEST_CASE("Tornado: the indented traceback below an uncaught exception",
          "[python][servers][tornado]") {
  const auto run = readSource(
      {
          "[I 240311 19:45:00 web:2348] 200 GET / (127.0.0.1) 0.52ms",
          "[E 240311 19:45:10 web:1798] Uncaught exception GET /orders/7 (127.0.0.1)",
          "    HTTPServerRequest(protocol='http', host='localhost:8888', method='GET', "
          "uri='/orders/7', version='HTTP/1.1', remote_ip='127.0.0.1')",
          "    Traceback (most recent call last):",
          "      File \"/usr/lib/python3/site-packages/tornado/web.py\", line 1790, in _execute",
          "        result = await result",
          "      File \"/srv/shop/server.py\", line 21, in get",
          "        order = self.orders[int(order_id)]",
          "    KeyError: 7",
          "[E 240311 19:45:10 web:2348] 500 GET /orders/7 (127.0.0.1) 3.21ms",
          "[W 240311 19:45:11 web:2348] 404 GET /favicon.ico (127.0.0.1) 0.40ms",
      },
      Level::kWarning);
  CHECK(run.format == "python");
  REQUIRE(run.records.size() == 3);
  const ErrorRecord& r = run.records[0];
  CHECK(rfc3339(r) == "2024-03-11T19:45:10Z");
  CHECK(r.module == "web");
  CHECK(r.exception_type == "KeyError");
  CHECK(r.message == "7");
  CHECK(str(r.context, "log_message") == "Uncaught exception GET /orders/7 (127.0.0.1)");
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames.back().file == "/srv/shop/server.py");
  CHECK(r.frames.back().line == 21);
  CHECK(r.traceback.front() == "Traceback (most recent call last):");
  CHECK(str(r.request_info, "method") == "GET");
  CHECK(str(r.request_info, "path") == "/orders/7");
  CHECK(str(r.request_info, "client_ip") == "127.0.0.1");
  CHECK(num(r.response_info, "status_code") == 500);
  CHECK(num(run.records[1].response_info, "status_code") == 500);
  CHECK(run.records[2].level == Level::kWarning);
}

TEST_CASE("aiohttp under basicConfig: the handler's exception and its access line",
          "[python][servers][aiohttp]") {
  std::vector<std::string> lines = {
      "INFO:aiohttp.access:127.0.0.1 [11/Mar/2024:19:45:09 +0000] \"GET / HTTP/1.1\" 200 165 "
      "\"-\" \"curl/8.4.0\"",
  };
  append(lines, withTrace({"ERROR:aiohttp.server:Error handling request"}, "/srv/api/server.py",
                          "KeyError: '7'"));
  lines.push_back(
      "INFO:aiohttp.access:127.0.0.1 [11/Mar/2024:19:45:10 +0000] \"GET /orders/7 HTTP/1.1\" 500 "
      "245 \"-\" \"curl/8.4.0\"");
  const auto run = readSource(lines);
  CHECK(run.format == "python");
  REQUIRE(run.records.size() == 2);
  CHECK(run.records[0].module == "aiohttp.server");
  CHECK(run.records[0].exception_type == "KeyError");
  CHECK(str(run.records[0].context, "log_message") == "Error handling request");
  CHECK(run.records[1].module == "aiohttp.access");
  CHECK(num(run.records[1].response_info, "status_code") == 500);
  CHECK(str(run.records[1].request_info, "path") == "/orders/7");
}

TEST_CASE("python: the servers' header layouts", "[python][servers]") {
  struct Case {
    std::string line;
    Level level;
    std::string module;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"ERROR 2024-03-11 19:45:10,123 log 4242 140234567890 Internal Server Error: /x",
       Level::kError, "log", "Internal Server Error: /x"},
      {"WARNING 2024-03-11 19:45:10,123 disk space low", Level::kWarning, "", "disk space low"},
      {"[2024-03-11 19:45:10,123: CRITICAL/MainProcess] Unrecoverable error", Level::kCritical, "",
       "Unrecoverable error"},
      {"CRITICAL: Application startup failed. Exiting.", Level::kCritical, "",
       "Application startup failed. Exiting."},
      {"DEBUG:    = connection is CONNECTING", Level::kDebug, "", "= connection is CONNECTING"},
      {"[C 240311 19:45:10 ioloop:760] Exception in callback", Level::kCritical, "ioloop",
       "Exception in callback"},
      {"Service Unavailable: /orders", Level::kError, "", "Service Unavailable: /orders"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    const auto p = test::parseAs("python", c.line);
    REQUIRE(p.status == ParseStatus::kRecord);
    CHECK(p.record.level == c.level);
    CHECK(p.record.module == c.module);
    CHECK(p.record.message == c.message);
  }
  Parser* python = test::sharedBuiltinSet().find("python");
  REQUIRE(python);
  // Not these servers' lines: basicConfig keeps its own reading, prose is no header.
  CHECK_FALSE(python->startsEvent("ERROR:    "));
  CHECK_FALSE(python->startsEvent("ERROR:  two spaces only"));
  CHECK_FALSE(python->startsEvent("Internal Server Error: not a path"));
  CHECK_FALSE(python->startsEvent("[X 240311 19:45:10 web] no line number"));
  CHECK_FALSE(python->startsEvent("[2024-03-11 19:45:10,123: ERROR] no process"));
  CHECK_FALSE(
      python->startsEvent("127.0.0.1 - - [11/Mar/2024:19:45:10 +0000] \"GET / HTTP/1.1\" "
                          "200 5"));  // nginx/Apache: a zone, the access_log format's
  const auto basic = test::parseAs("python", "ERROR:root:disk full");
  CHECK(basic.record.module == "root");
  CHECK(basic.record.message == "disk full");
  // An INFO request line below min_level costs no record, a 5xx is one.
  CHECK(test::parseAs("python", "INFO:     10.0.0.1:5 - \"GET / HTTP/1.1\" 200 OK", Level::kError)
            .status == ParseStatus::kBelowLevel);
  CHECK(test::parseAs("python", "INFO:     10.0.0.1:5 - \"GET / HTTP/1.1\" 503 Service Unavailable",
                      Level::kError)
            .status == ParseStatus::kRecord);
}

TEST_CASE("detection names a second format for the lines the first leaves", "[detect]") {
  auto detect = [](const std::vector<std::string_view>& lines) {
    return detectFormat(test::sharedBuiltinSet(), lines);
  };
  const Detection mixed = detect({
      "[2024-03-11 19:45:00 +0000] [1] [INFO] Starting gunicorn 21.2.0",
      "[2024-03-11 19:45:00 +0000] [7] [INFO] Booting worker with pid: 7",
      "[2024-03-11 19:45:01 +0000] [7] [INFO] Autorestarting worker after current request.",
      "Internal Server Error: /orders/7/pay",
      "Traceback (most recent call last):",
      "KeyError: 'card'",
  });
  REQUIRE(mixed.parser);
  CHECK(mixed.parser->name() == "generic");
  REQUIRE(mixed.second);
  CHECK(mixed.second->name() == "python");

  const Detection alone = detect({
      "2024-03-11 19:45:00,001 - shop - INFO - up",
      "2024-03-11 19:45:01,001 - shop - ERROR - down",
  });
  REQUIRE(alone.parser);
  CHECK(alone.parser->name() == "python");
  CHECK(alone.second == nullptr);
}

}  // namespace homeo
