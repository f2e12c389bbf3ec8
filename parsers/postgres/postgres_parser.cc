#include "parsers/postgres/postgres_parser.h"

#include "parsers/line_header.h"
#include "parsers/text_util.h"

namespace homeo {
namespace {

// What a line's severity word says: an entry of its own, or a line explaining the one before.
enum class Kind { kEntry, kAttached };

struct Header {
  CivilTime time;
  Level level = Level::kInfo;
  Kind kind = Kind::kEntry;
  std::string_view severity;  // as written: ERROR, STATEMENT...
  std::string_view pid;
  std::string_view user;
  std::string_view database;
  std::string_view message;
};

// Zone abbreviations PostgreSQL writes with %m/%t (log_timezone); others are read as local.
std::optional<int32_t> zoneOffset(std::string_view z) {
  struct Zone {
    std::string_view name;
    int32_t hours;
  };
  static constexpr Zone kZones[] = {
      {"UTC", 0},  {"GMT", 0},  {"Z", 0},    {"PST", -8}, {"PDT", -7}, {"MST", -7}, {"MDT", -6},
      {"CST", -6}, {"CDT", -5}, {"EST", -5}, {"EDT", -4}, {"CET", 1},  {"CEST", 2}, {"EET", 2},
      {"EEST", 3}, {"BST", 1},  {"WET", 0},  {"WEST", 1}, {"MSK", 3},  {"JST", 9},  {"KST", 9},
  };
  for (const auto& zone : kZones) {
    if (zone.name == z) return zone.hours * 3600;
  }
  return std::nullopt;
}

bool severityOf(std::string_view w, Level& level, Kind& kind) {
  kind = Kind::kEntry;
  if (w == "ERROR") {
    level = Level::kError;
  } else if (w == "FATAL" || w == "PANIC") {
    level = Level::kCritical;
  } else if (w == "WARNING") {
    level = Level::kWarning;
  } else if (w == "LOG" || w == "INFO" || w == "NOTICE") {
    level = Level::kInfo;
  } else if (w.size() == 6 && text::startsWith(w, "DEBUG") && w[5] >= '1' && w[5] <= '5') {
    level = Level::kDebug;
  } else if (w == "DETAIL" || w == "HINT" || w == "CONTEXT" || w == "QUERY" || w == "STATEMENT" ||
             w == "LOCATION") {
    kind = Kind::kAttached;
    level = Level::kInfo;
  } else {
    return false;
  }
  return true;
}

bool parseHeader(std::string_view line, Header& h) {
  if (line.size() < 24 || !text::isDigit(line[0])) return false;
  size_t used = 0;
  auto t = parseTimestampPrefix(line, &used);
  if (!t || used < 19) return false;
  h.time = *t;
  std::string_view s = line.substr(used);
  // Up to four prefix fields ("UTC", "[4242]", "[4242-1]", "app@db", "user=x,db=y") before
  // the "SEVERITY:  " that every line has.
  for (int k = 0; k < 5; ++k) {
    const std::string_view tok = text::nextToken(s);
    if (tok.empty()) return false;
    if (tok.back() == ':' && tok.size() > 2) {
      Level level;
      Kind kind;
      if (!severityOf(tok.substr(0, tok.size() - 1), level, kind)) return false;
      h.severity = tok.substr(0, tok.size() - 1);
      h.level = level;
      h.kind = kind;
      // PostgreSQL separates the severity from the message by two spaces.
      h.message = text::trimLeft(s);
      return true;
    }
    if (k == 0 && !h.time.utc_offset) {
      if (auto off = zoneOffset(tok)) {
        h.time.utc_offset = *off;
        continue;
      }
    }
    if (tok.size() > 2 && tok.front() == '[' && tok.back() == ']') {
      const std::string_view in = tok.substr(1, tok.size() - 2);
      const std::string_view pid = in.substr(0, in.find('-'));
      if (text::parseUint(pid)) h.pid = pid;
      continue;
    }
    const size_t at = tok.find('@');
    if (at != std::string_view::npos && at > 0 && at + 1 < tok.size()) {
      h.user = tok.substr(0, at);
      h.database = tok.substr(at + 1);
    }
  }
  return false;
}

std::string_view contextKey(std::string_view severity) {
  if (severity == "DETAIL") return "detail";
  if (severity == "HINT") return "hint";
  if (severity == "CONTEXT") return "pg_context";
  if (severity == "QUERY") return "query";
  if (severity == "LOCATION") return "location";
  return "statement";
}

class PostgresParser final : public Parser {
 public:
  std::string_view name() const override { return "postgres"; }

  int probe(std::string_view line) const override {
    Header h;
    return parseHeader(line, h) ? 95 : 0;
  }

  // An attached line (DETAIL, STATEMENT...) explains the entry before it.
  bool startsEvent(std::string_view line) const override {
    Header h;
    return parseHeader(line, h) && h.kind == Kind::kEntry;
  }

  ParseStatus parse(const LogEvent& ev, Level min_level, ErrorRecord& out) override {
    Header h;
    if (!parseHeader(ev.lines[0], h)) return ParseStatus::kNotMatched;
    if (h.level < min_level) return ParseStatus::kBelowLevel;
    out.level = h.level;
    out.time = toUnixNanos(h.time);
    out.message.assign(text::trim(h.message));
    if (auto pid = text::parseUint(h.pid)) setField(out.context, "pid", JsonValue(*pid));
    if (!h.user.empty()) setField(out.context, "user", JsonValue(h.user));
    if (!h.database.empty()) setField(out.context, "database", JsonValue(h.database));
    // The lines after the header: attached lines, each with the indented lines that continue
    // it (a statement over several lines). A DETAIL or STATEMENT with no entry before it (at
    // the start of a file) is its own record.
    std::string value;
    std::string_view key;
    auto put = [&]() {
      if (!key.empty() && !value.empty()) setField(out.context, key, JsonValue(value));
      value.clear();
    };
    if (h.kind == Kind::kAttached) {
      key = contextKey(h.severity);
      value = out.message;
    }
    for (size_t i = 1; i < ev.lines.size(); ++i) {
      const std::string_view line = ev.lines[i];
      Header a;
      if (parseHeader(line, a)) {
        put();
        key = contextKey(a.severity);
        value.assign(text::trim(a.message));
        continue;
      }
      const std::string_view more = text::trim(line);
      if (more.empty()) continue;
      (key.empty() ? out.message : value).append("\n").append(more);
    }
    put();
    return ParseStatus::kRecord;
  }
};

}  // namespace

std::unique_ptr<Parser> makePostgresParser() { return std::make_unique<PostgresParser>(); }

}  // namespace homeo
