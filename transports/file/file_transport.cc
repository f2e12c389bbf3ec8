#include "transports/file/file_transport.h"

#include <optional>
#include <utility>

namespace homeo {

FileTransport::FileTransport(boost::asio::any_io_executor loop, std::string path, bool fsync)
    : ThreadedTransport(std::move(loop)),
      file_(std::move(path), fsync, AppendFile::Sharing::kExclusive, "file transport") {}

FileTransport::~FileTransport() { stop(); }

SendResult FileTransport::deliver(const Batch& batch, std::string& reason) {
  return file_.append(batch.ndjson(), reason) ? SendResult::kAccepted : SendResult::kRetryable;
}

void FileTransport::close() { file_.close(); }

TransportFactory fileTransportFactory() {
  return {
      "file",
      "appends records as NDJSON to a file (options: path, fsync)",
      [](const TransportContext& ctx, const config::TransportConfig& cfg,
         std::vector<config::Diagnostic>& diags) -> std::unique_ptr<Transport> {
        const size_t errors = diags.size();
        const config::OptionMap& options = cfg.options;
        std::optional<std::string> path = options.getString("path", diags, /*required=*/true);
        std::optional<bool> fsync = options.getBool("fsync", diags);
        options.rejectUnknown({"path", "fsync"}, "file transport", diags);
        if (path) {
          const config::OptionValue* value = options.find("path");
          const config::Location where = value ? value->where : options.where();
          if (path->empty() || path->front() != '/') {
            diags.push_back({where, "file transport: path must be absolute, got '" + *path + "'"});
          } else if (path->back() == '/') {
            diags.push_back({where, "file transport: path must name a file, got '" + *path + "'"});
          }
        }
        if (diags.size() != errors || !path) return nullptr;
        return std::make_unique<FileTransport>(ctx.executor, std::move(*path),
                                               fsync.value_or(true));
      },
  };
}

}  // namespace homeo
