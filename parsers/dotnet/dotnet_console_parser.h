#pragma once

#include <memory>

#include "parsers/parser.h"

namespace homeo {

// The console logger of .NET (Microsoft.Extensions.Logging, ASP.NET Core's default):
//   fail: Shop.Api.OrdersController[0]
//         Order 7 could not be shipped
//         System.InvalidOperationException: No carrier for zone 9
//            at Shop.Api.OrdersController.Ship(Int32 id) in /src/Shop.Api/OrdersController.cs:line
//            20
// A level (trce dbug info warn fail crit), the category and event id, then the message and the
// exception indented below; with SingleLine the message follows on the header line, with a
// TimestampFormat a date and time come first.
std::unique_ptr<Parser> makeDotnetConsoleParser();

}  // namespace homeo
