#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// java.util.logging's SimpleFormatter with its default format (the JDK's, and Tomcat's or
// any application's that does not set java.util.logging.SimpleFormatter.format): two lines,
// the date and the source, then the level and the message; the throwable below.
//   Mar 11, 2024 7:45:10 PM com.example.shop.Orders ship
//   SEVERE: order 7 failed
//   java.lang.IllegalStateException: no carrier for zone 9
//   	at com.example.shop.Carriers.forZone(Carriers.java:41)
// SEVERE is ERROR, WARNING WARNING, INFO INFO, CONFIG FINE FINER FINEST DEBUG (and the German,
// French, Spanish and Italian names of the first three); the source class and method are the
// module ("com.example.shop.Orders.ship"). JDK 20 and later write a narrow no-break space
// before AM/PM.
std::unique_ptr<Parser> makeJulParser();

}  // namespace homeo
