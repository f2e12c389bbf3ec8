#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// PHP's error_log file (the php.ini `error_log` setting) and PHP-FPM's log:
//   [11-Mar-2024 19:45:10 UTC] PHP Fatal error:  Uncaught Exception: refused in /app/x.php:12
//   Stack trace:
//   #0 /app/index.php(8): App\Checkout->pay()
//   #1 {main}
//     thrown in /app/x.php on line 12
//   [11-Mar-2024 19:45:11 UTC] PHP Warning:  Undefined variable $total in /app/y.php on line 31
//   [11-Mar-2024 19:45:12] WARNING: [pool www] child 12 said into stderr: "NOTICE: PHP message:
//   ..."
// Fatal, parse, core and compile errors are CRITICAL, a recoverable fatal error ERROR, warnings
// WARNING, notices, deprecations and strict standards INFO; FPM's DEBUG NOTICE WARNING ERROR
// ALERT, and the PHP error a worker's line reports. A line error_log() wrote takes its level from
// its words. The location ("in /app/y.php on line 31") becomes the record's frame; an uncaught
// exception's stack trace its frames. The time is in the zone PHP names (UTC; another zone name
// is read in the configured time zone).
std::unique_ptr<Parser> makePhpErrorParser();

}  // namespace homeo
