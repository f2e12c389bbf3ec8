#pragma once

namespace homeo {

// Sends the process's log to stderr: plain lines on a terminal, and lines with a `<N>`
// syslog priority prefix when stderr is the journal (JOURNAL_STREAM), so journald keeps each
// line's level. Never stdout: that carries records.
void setupLogging();

}  // namespace homeo
