#pragma once

#include <memory>
#include <string_view>

#include "parsers/parser.h"

namespace homeo {

// Syslog, as received or as written to files:
//   <34>1 2003-10-11T22:14:15.003Z host.example.com su 77 ID47 [id k="v"] message  (RFC 5424)
//   <34>Oct 11 22:14:15 mymachine su[77]: message                                  (RFC 3164)
//   Oct 11 22:14:15 mymachine su[77]: message              (rsyslog's /var/log/syslog)
//   2023-05-20T14:30:22.123+02:00 mymachine su[77]: message (rsyslog, RFC 3339 dates)
// The level is the PRI's severity; without a PRI, a level word at the start of the message
// ("error:", [error], <err>, ERROR), else INFO. App name or tag → module; host, pid, msgid,
// facility and structured data → context (syslog_host, syslog_pid, syslog_msgid,
// syslog_facility, structured_data).
class SyslogParser : public Parser {
 public:
  std::string_view name() const override { return "syslog"; }
  int probe(std::string_view line) const override;
  bool startsEvent(std::string_view line) const override;
  EventStart scanStart(std::string_view line) const override;
  ParseStatus parse(const LogEvent& event, Level min_level, ErrorRecord& out) override;
};

std::unique_ptr<Parser> makeSyslogParser();

}  // namespace homeo
