#include "transports/amqp/amqp_transport.h"
#include "transports/file/file_transport.h"
#include "transports/homeostasis/homeostasis_transport.h"
#include "transports/http/http_transport.h"
#include "transports/kafka/kafka_transport.h"
#include "transports/postgres/postgres_transport.h"
#include "transports/sqlite/sqlite_transport.h"
#include "transports/stdout/stdout_transport.h"
#include "transports/transport.h"

namespace homeo {

// The one place to add a transport: one line per transport folder.
void registerBuiltinTransports(TransportRegistry& registry) {
  registry.add(stdoutTransportFactory());
  registry.add(fileTransportFactory());
  registry.add(httpTransportFactory());
  registry.add(kafkaTransportFactory());
  registry.add(amqpTransportFactory());
  registry.add(postgresTransportFactory());
  registry.add(sqliteTransportFactory());
  registry.add(homeostasisTransportFactory());
}

}  // namespace homeo
