// The one place where built-in formats are registered. To add a format: create
// parsers/<name>/ with the parser and its factory, then add it here.
#include "parsers/access/access_log_parser.h"
#include "parsers/apache/apache_error_parser.h"
#include "parsers/bracket/bracket_parser.h"
#include "parsers/dotnet/dotnet_console_parser.h"
#include "parsers/elixir/elixir_parser.h"
#include "parsers/envlogger/envlogger_parser.h"
#include "parsers/erlang/erlang_parser.h"
#include "parsers/generic/generic_parser.h"
#include "parsers/golog/golog_parser.h"
#include "parsers/homeostasis/homeostasis_parser.h"
#include "parsers/java/java_parser.h"
#include "parsers/json/json_parser.h"
#include "parsers/jul/jul_parser.h"
#include "parsers/klog/klog_parser.h"
#include "parsers/log4js/log4js_parser.h"
#include "parsers/logcat/logcat_parser.h"
#include "parsers/logfmt/logfmt_parser.h"
#include "parsers/loguru/loguru_parser.h"
#include "parsers/mysql/mysql_error_parser.h"
#include "parsers/nginx/nginx_error_parser.h"
#include "parsers/parser.h"
#include "parsers/php/php_error_parser.h"
#include "parsers/pino/pino_pretty_parser.h"
#include "parsers/postgres/postgres_parser.h"
#include "parsers/python/python_parser.h"
#include "parsers/redis/redis_parser.h"
#include "parsers/serilog/serilog_parser.h"
#include "parsers/stamped/stamped_parser.h"
#include "parsers/syslog/syslog_parser.h"
#include "parsers/text/text_parser.h"
#include "parsers/tracing/tracing_parser.h"
#include "parsers/uwsgi/uwsgi_parser.h"
#include "parsers/w3c/w3c_parser.h"
#include "parsers/winston/winston_parser.h"
#include "parsers/zerolog/zerolog_parser.h"

namespace homeo {

void registerBuiltinParsers(ParserRegistry& registry) {
  registry.add({"json",
                "JSON lines: python-json-logger, structlog, bunyan/pino, logrus, zap, logback, "
                "ECS, Serilog, GCP, Docker json-file",
                true, makeJsonParser});
  registry.add(
      {"syslog", "syslog RFC 5424 and RFC 3164, with or without <PRI>", true, makeSyslogParser});
  registry.add({"bracket", "Homeostasis guide: [LEVEL][timestamp] module - message", true,
                makeBracketParser});
  registry.add({"python", "Python logging lines with their tracebacks", true, makePythonParser});
  // After json and python: it scores their lines as they do (and Homeostasis' own higher), so
  // they keep the files that hold none of its lines.
  registry.add({"homeostasis",
                "Homeostasis' logger: asctime - name - LEVEL - {json record}, among Python and "
                "JSON lines",
                true, makeHomeostasisParser});
  registry.add({"logfmt", "logfmt key=value lines (Go kit, logrus text), other keys to context",
                true, makeLogfmtParser});
  registry.add(
      {"java", "Java log4j/logback/Spring Boot text with stack traces", true, makeJavaParser});
  registry.add(
      {"klog", "Go glog/klog: E0102 15:04:05.123456 1234 file.go:42] msg", true, makeKlogParser});
  registry.add({"access_log",
                "HTTP access logs (combined/common, Django, uvicorn, morgan): 5xx is ERROR", true,
                makeAccessLogParser});
  registry.add(
      {"logcat", "Android logcat: threadtime, time and brief layouts", true, makeLogcatParser});
  registry.add(
      {"apache_error", "Apache httpd error log (2.2 and 2.4)", true, makeApacheErrorParser});
  registry.add({"nginx_error", "nginx error log, request details into request_info", true,
                makeNginxErrorParser});
  registry.add({"postgres", "PostgreSQL server log; DETAIL/HINT/STATEMENT lines join their entry",
                true, makePostgresParser});
  registry.add({"mysql_error", "MySQL/MariaDB error log: [ERROR] [Warning] [Note] [System]", true,
                makeMysqlErrorParser});
  registry.add({"redis", "Redis server log: pid:role date mark message ('#' is WARNING)", true,
                makeRedisParser});
  registry.add({"w3c", "W3C extended log (IIS): 5xx is ERROR", true, makeW3cParser});
  registry.add({"uwsgi", "uWSGI request log: 5xx is ERROR", true, makeUwsgiParser});
  registry.add(
      {"tai64n", "@TAI64N-prefixed lines (daemontools, s6, runit)", true, makeTai64nParser});
  registry.add({"epoch", "lines prefixed with a Unix time (s, ms, us, ns)", true, makeEpochParser});
  registry.add({"golog", "Go's standard log package: 2006/01/02 15:04:05 [file.go:23: ]msg", true,
                makeGoLogParser});
  registry.add({"winston", "Node.js winston text: [time] [label] level: msg, with its stack", true,
                makeWinstonParser});
  registry.add({"dotnet_console",
                ".NET console logger: fail: Category[0] with the message and exception below", true,
                makeDotnetConsoleParser});
  registry.add({"serilog", "Serilog console (.NET): [HH:mm:ss LVL] msg with the exception below",
                true, makeSerilogParser});
  registry.add({"env_logger", "Rust env_logger: [2024-03-11T19:45:10Z ERROR target] msg", true,
                makeEnvLoggerParser});
  registry.add({"php_error",
                "PHP's error_log and PHP-FPM: [11-Mar-2024 19:45:10 UTC] PHP Fatal error:  ...",
                true, makePhpErrorParser});
  registry.add({"elixir", "Elixir Logger console: 19:45:10.123 [error] msg, metadata to context",
                true, makeElixirParser});
  registry.add({"jul", "java.util.logging two-line default: date and source, then LEVEL: msg", true,
                makeJulParser});
  registry.add({"zerolog", "Go zerolog ConsoleWriter: 7:45PM ERR main.go:42 > msg key=value", true,
                makeZerologParser});
  registry.add({"log4js", "Node.js log4js: [2024-03-11T19:45:10.123] [ERROR] category - msg", true,
                makeLog4jsParser});
  registry.add({"tracing", "Rust tracing-subscriber: <RFC 3339> ERROR spans: target: msg fields",
                true, makeTracingParser});
  registry.add({"loguru", "Python loguru: time | LEVEL | name:function:line - msg, its traceback",
                true, makeLoguruParser});
  registry.add({"erlang", "Erlang/OTP reports: =ERROR REPORT==== 11-Mar-2024::19:45:10 ===", true,
                makeErlangParser});
  registry.add({"pino_pretty",
                "Node.js pino-pretty and bunyan CLI: [time] LEVEL (pid on host): msg", true,
                makePinoPrettyParser});
  // Last of the candidates: the specific formats above win ties.
  registry.add({"generic",
                "timestamp + level word lines (many layouts), zap console, Ruby Logger/Rails", true,
                makeGenericParser});
  registry.add({"text", "fallback: timestamp and level words in free text, bare stack traces",
                false, makeTextParser});
}

}  // namespace homeo
