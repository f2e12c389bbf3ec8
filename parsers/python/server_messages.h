#pragma once

#include <string_view>

#include "common/level.h"
#include "common/record.h"

namespace homeo {

// What the default messages of Python web servers and task queues say about the request or
// the task they are about. Views into the message.
struct RequestSummary {
  std::string_view client;  // the address, without a port
  std::string_view method;
  std::string_view path;
  std::string_view protocol;
  int status = 0;  // 0: not written
};

// Django's request errors, which its default configuration logs as the bare message:
// "Internal Server Error: /x" (500), "Service Unavailable: /x" (503), "Bad Request: /x" (400),
// "Not Found: /x" (404); and Flask's "Exception on /x [POST]" (500).
bool readFrameworkRequest(std::string_view msg, RequestSummary& out);

// A request line an access logger wrote: `client ... "METHOD target HTTP/1.1" status ...`
// (uvicorn, aiohttp, werkzeug, gunicorn's access logger, Django's runserver).
bool readAccessLine(std::string_view msg, RequestSummary& out);

// Tornado's "Uncaught exception GET /x (10.0.0.1)" (500) and its request log line
// "500 GET /x (10.0.0.1) 3.21ms".
bool readTornadoRequest(std::string_view msg, RequestSummary& out);

// The level a response status gives an access line: ERROR for 5xx, WARNING for 4xx.
Level levelOfStatus(int status);

// request_info (method, path, client_ip, protocol) and response_info.status_code.
void fillRequest(const RequestSummary& req, ErrorRecord& out);

// A Celery task named by a worker line: "Task app.tasks.charge[3f2a...] raised unexpected: x"
// (the worker's messages), or "app.tasks.charge[3f2a...]: x" (the task logger's format, whose
// message follows the prefix).
struct CeleryTask {
  std::string_view name;
  std::string_view id;
  std::string_view message;  // the message without the task logger's prefix
};
bool readCeleryTask(std::string_view msg, CeleryTask& out);

}  // namespace homeo
