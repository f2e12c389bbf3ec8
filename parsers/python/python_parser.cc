#include "parsers/python/python_parser.h"

#include <vector>

#include "parsers/header_format.h"
#include "parsers/python/python_header.h"
#include "parsers/python/server_messages.h"
#include "parsers/text_util.h"
#include "parsers/trace.h"

namespace homeo {
namespace {

// The level parse() decides on: the header's, raised by an access logger's status.
void eventLevel(const PyHeader& header, EventStart& start) {
  PyHeader h = header;
  readAccessLogger(h);
  start.level = h.level;
}

class PythonParser final : public HeaderFormat<PyHeader, parsePythonHeader, 0, eventLevel> {
 public:
  std::string_view name() const override { return "python"; }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    PyHeader h;
    if (!parsePythonHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    readAccessLogger(h);
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    out.level = h.level;
    if (h.time) out.time = toUnixNanos(*h.time);
    out.module.assign(h.module);
    std::string_view message = text::trimRight(h.message);
    if (h.layout == PyLayout::kCelery) {
      if (!h.process.empty()) setField(out.context, "process_name", JsonValue(h.process));
      CeleryTask task;
      if (readCeleryTask(message, task)) {
        // The task is the unit that failed, where other layouts name a logger.
        out.module.assign(task.name);
        message = task.message;
        setField(out.context, "task_name", JsonValue(task.name));
        setField(out.context, "task_id", JsonValue(task.id));
      }
    }
    out.message.assign(message);
    RequestSummary req = h.request.value_or(RequestSummary{});
    if (!h.request) {
      if (h.layout == PyLayout::kTornado) {
        readTornadoRequest(message, req);
      } else {
        readFrameworkRequest(message, req);
      }
    }
    fillRequest(req, out);
    if (ev.lines.size() > 1) {
      // logger.exception("Failed to load user") + traceback: the record is about the
      // exception; the logged sentence stays in context.
      std::string logged = out.message;
      if (analyzeTrace(continuation(ev, h.layout), out, true) && !out.exception_type.empty() &&
          !logged.empty()) {
        setField(out.context, "log_message", JsonValue(std::move(logged)));
      }
    }
    return ParseStatus::kRecord;
  }

 private:
  // The lines after the header, as the trace readers expect them. Tornado's formatter indents
  // every line after the first by four spaces, its traceback's too.
  std::span<const std::string_view> continuation(const LogEvent& ev, PyLayout layout) {
    const auto rest = ev.lines.subspan(1);
    if (layout != PyLayout::kTornado) return rest;
    lines_.assign(rest.begin(), rest.end());
    for (auto& l : lines_) {
      if (text::startsWith(l, "    ")) l.remove_prefix(4);
    }
    return lines_;
  }

  std::vector<std::string_view> lines_;  // scratch, reused
};

}  // namespace

std::unique_ptr<Parser> makePythonParser() { return std::make_unique<PythonParser>(); }

}  // namespace homeo
