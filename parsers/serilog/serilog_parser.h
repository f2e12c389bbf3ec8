#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// Serilog's console sink with its default output template (.NET),
// "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}":
//   [19:45:10 ERR] Order 7 could not be shipped
//   System.InvalidOperationException: No carrier for zone 9
//      at Shop.Shipping.Carriers.For(Int32 zone) in /src/Shop/Shipping/Carriers.cs:line 41
// Levels VRB DBG INF WRN ERR FTL; the time of day only (dated today). The exception on the
// lines below becomes the record's.
std::unique_ptr<Parser> makeSerilogParser();

}  // namespace homeo
