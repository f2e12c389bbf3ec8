#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Java logging text (log4j, log4j2, logback, Spring Boot, java.util.logging's one-line
// layouts), with the stack trace lines that follow a header as its continuation:
//   2024-01-01 10:00:00.123 ERROR 1234 --- [main] c.e.Foo : msg            (Spring Boot)
//   2024-01-01 10:00:00,123 ERROR [main] com.example.Foo - msg              (log4j/logback)
//   2024-01-01 10:00:00,123 [main] ERROR com.example.Foo - msg              (logback default)
//   2015-07-29 17:41:44,747 - WARN  [QuorumPeer:Foo@774] - msg               (ZooKeeper)
//   2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.Foo: msg          (Hadoop)
//   [ERROR] msg                                                             (Maven, log4j)
//   19:45:10.123 [main] ERROR com.example.Foo - msg   (log4j2's and logback's unconfigured
//                                                     defaults: the time of day, dated today)
std::unique_ptr<Parser> makeJavaParser();

}  // namespace homeo
