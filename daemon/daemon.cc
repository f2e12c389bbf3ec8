#include "daemon/daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "common/timeutil.h"
#include "daemon/exit_codes.h"
#include "daemon/journal_input.h"
#include "daemon/metrics_server.h"
#include "daemon/parsing_sink.h"
#include "daemon/seen/seen_store.h"
#include "daemon/self_metrics.h"
#include "daemon/setup.h"
#include "daemon/tap/tap_server.h"
#include "daemon/throttle/occurrence_throttle.h"
#include "tail/checkpoint_tracker.h"
#include "tail/tailer.h"
#include "transports/batcher.h"
#include "transports/dispatcher.h"
#include "transports/file/file_transport.h"

namespace homeo {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// One generation of the running daemon: builds the pipeline a config describes and wires its
// pieces, from the files (Tailer) through parsing and the record pipeline to the batches
// (Batcher), the transports (Dispatcher) and back to the checkpoints (CheckpointTracker).
class Daemon {
 public:
  // `throttle` outlives the generation: its windows go on across a reload.
  Daemon(asio::io_context& io, config::Config cfg, const Registries& reg,
         OccurrenceThrottle& throttle)
      : io_(io),
        cfg_(std::move(cfg)),
        reg_(reg),
        throttle_(throttle),
        tracker_(io.get_executor(), cfg_.state_dir) {}

  // Sets everything up; returns an exit status other than kExitOk on failure.
  int start() {
    std::vector<config::Diagnostic> diags;
    parsers_ = ParserSet::create(reg_.parsers, cfg_.parsers, diags);
    if (!parsers_) {
      printDiagnostics(diags);
      return kExitConfig;
    }
    std::vector<std::unique_ptr<Transport>> transports;
    TransportContext tctx{io_.get_executor(), cfg_.state_dir};
    for (const auto& t : cfg_.transports) {
      const auto* f = reg_.transports.find(t.type);
      auto tr = f ? f->create(tctx, t, diags) : nullptr;
      if (!tr) {
        printDiagnostics(diags);
        return kExitConfig;
      }
      transports.push_back(std::move(tr));
    }
    pipeline_ = makeRecordPipeline(cfg_, reg_, diags);
    if (!pipeline_) {
      printDiagnostics(diags);
      return kExitConfig;
    }
    DispatcherOptions dopts;
    dopts.spool_dir = cfg_.state_dir + "/spool";
    // A batch goes out once the checkpoints of the batches before it are on disk.
    dopts.sendable_through = tracker_.sendableThrough();
    dispatcher_ = std::make_unique<Dispatcher>(io_.get_executor(), std::move(transports), dopts);
    dispatcher_->setDeadLetter(std::make_unique<FileTransport>(
        io_.get_executor(), cfg_.state_dir + "/dead-letter.jsonl", /*fsync=*/true));
    batcher_ = std::make_unique<Batcher>(io_.get_executor(), cfg_.batch,
                                         [this](std::shared_ptr<const Batch> b) { sealed(b); });
    tailer_ = std::make_unique<Tailer>(
        io_.get_executor(), cfg_.inputs, TailerSettings::from(cfg_), tracker_,
        [this](const config::InputConfig& in, const std::string& path, FileId id) {
          return makeSink(in, path, id);
        });
    // The loop: acknowledgements move checkpoints, written checkpoints open the send gate, a
    // saturated dispatcher pauses reading.
    dispatcher_->onAcked([this](uint64_t seq) {
      latency_.acked(seq, Clock::now());
      tracker_.acked(seq);
      seen_.acked(seq, nowMillis());
    });
    tracker_.onGateMoved([this](uint64_t through) { dispatcher_->releaseThrough(through); });
    dispatcher_->onSaturation([this](bool saturated) {
      if (saturated) return;
      tailer_->resume();
      for (auto& j : journals_) j->resume();
    });
    metrics_ = std::make_unique<SelfMetrics>(
        SelfMetrics::Sources{cfg_, *tailer_, tracker_, *dispatcher_, *pipeline_, records_, parsing_,
                             latency_, &journals_, &seen_, &throttle_});

    pipeline_->start(/*periodic=*/true);
    host_ = HostFacts::read().hostname;
    for (const auto& in : cfg_.inputs) {
      if (in.type != config::InputType::kJournald) continue;
      journals_.push_back(std::make_unique<JournalInput>(
          io_.get_executor(), in, cfg_, *parsers_, tracker_, parsing_, host_,
          [this](ErrorRecord& r) { return ship(r); }));
    }
    std::string error;
    if (!tracker_.load(&error)) spdlog::error("{}", error);
    if (!seen_.load(nowMillis(), &error)) spdlog::error("{}", error);
    tailer_->start();
    for (auto& j : journals_) j->start();
    if (cfg_.metrics.enabled) {
      server_ = std::make_unique<MetricsServer>(
          io_.get_executor(), [this](std::string_view target) { return metrics_->serve(target); });
      if (server_->listen(cfg_.metrics.listen, &error)) {
        metrics_->setListener(server_.get());
        spdlog::info("metrics on http://{}/metrics (port {})", cfg_.metrics.listen,
                     server_->port());
      } else {
        spdlog::error("{}; running without the metrics endpoint", error);
        server_.reset();
      }
    }
    // `homeostasisd tap` finds the daemon of a config by its state directory.
    tap_ = std::make_unique<TapServer>(io_.get_executor());
    if (tap_->listen(cfg_.state_dir + "/tap.sock", &error)) {
      metrics_->setTap(tap_.get());
    } else {
      spdlog::warn("{}; running without `homeostasisd tap`", error);
      tap_.reset();
    }
    throttleLater();
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
      watchdog_every_ = std::chrono::microseconds(watchdog_usec / 2);
      watchdogLater();
    }
    spdlog::info("following {} files of {} inputs", tailer_->files(), cfg_.inputs.size());
    return kExitOk;
  }

  size_t fileCount() const { return tailer_->files(); }

  // Stops reading, completes open events, flushes the last batch, waits for the transports
  // (up to drain_timeout_ms), commits checkpoints, then calls done.
  void drain(std::function<void(bool)> done) {
    if (draining_) return;
    draining_ = true;
    watchdog_timer_.cancel();
    throttle_timer_.cancel();
    tailer_->drain();
    for (auto& j : journals_) j->drain();
    summarise(/*all=*/true);
    batcher_->flush();
    tracker_.openGate();  // on drain every batch goes at once
    dispatcher_->drain(std::chrono::milliseconds(cfg_.drain_timeout_ms),
                       [this, done = std::move(done)](bool all) {
                         if (server_) server_->stop();
                         if (tap_) tap_->stop();
                         tracker_.commit();
                         if (!all) {
                           spdlog::warn(
                               "drain timed out: {} batches not acknowledged; they are "
                               "read again at the next start",
                               dispatcher_->queuedBatches());
                         }
                         dispatcher_->stop();
                         done(all);
                       });
  }

 private:
  std::unique_ptr<LineSink> makeSink(const config::InputConfig& in, const std::string& path,
                                     FileId id) {
    SourceInfo info;
    info.path = path;
    info.key = fileKey(id.dev, id.ino);
    info.format = in.format;
    info.service = in.service;
    info.release = in.release;
    info.environment = in.environment;
    info.in_app = in.in_app;
    info.tags = in.tags;
    info.min_level = in.min_level.value_or(cfg_.min_level);
    info.host = host_;
    return std::make_unique<ParsingSink>(
        *parsers_, std::move(info), [this, id, in = &in](ErrorRecord& r) { emit(id, *in, r); },
        parsing_);
  }

  void emit(FileId id, const config::InputConfig& in, ErrorRecord& r) {
    const int64_t now = nowMillis();
    if (!throttle_.admit(r, in.throttle, now)) {
      // Counted into its window's summary; its event stays before the checkpoint until the
      // summary is in a batch.
      throttle_.suppress(r, id, now, [&] { return tracker_.hold(id, r.source_offset); });
      return;
    }
    const uint64_t seq = ship(r, now);
    tailer_->recorded(id, r.source_offset, seq);
  }

  // Ships the summaries of the throttle windows that closed (all of them on a drain); the
  // events they count go into the summary's batch.
  void summarise(bool all) {
    for (auto& s : throttle_.expire(nowMillis(), all)) {
      const uint64_t seq = ship(s.record);
      for (const auto& h : s.holds) tracker_.release(h.file, h.token, seq);
    }
  }

  void throttleLater() {
    throttle_timer_.expires_after(std::chrono::seconds(1));
    throttle_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || draining_) return;
      summarise(/*all=*/false);
      throttleLater();
    });
  }

  // Counts, finishes and batches a record; returns the number of its batch.
  uint64_t ship(ErrorRecord& r, int64_t now_ms = nowMillis()) {
    records_.count(r);
    if (seen_.mark(r, now_ms).first) ++records_.first_seen;
    json_.clear();
    pipeline_->finish(r, json_);
    if (tap_ && tap_->active()) tap_->publish(json_, r.service, r.level, r.fingerprint);
    const uint64_t seq = batcher_->add(json_, r.level, r.service, r.tags);
    seen_.assign(seq);
    return seq;
  }

  static int64_t nowMillis() { return nowNanos() / 1000000; }

  void sealed(std::shared_ptr<const Batch> batch) {
    latency_.sealed(batch->seq, Clock::now());
    dispatcher_->dispatch(std::move(batch));
    // At once, not when the posted onSaturation arrives: the rest of this read would go on.
    if (dispatcher_->saturated()) {
      tailer_->pause();
      for (auto& j : journals_) j->pause();
    }
  }

  // Pings systemd's watchdog from the event loop, so a stalled loop gets the service restarted.
  void watchdogLater() {
    watchdog_timer_.expires_after(watchdog_every_);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      sd_notifyf(0, "WATCHDOG=1\nSTATUS=%s", metrics_->statusLine().c_str());
      watchdogLater();
    });
  }

  asio::io_context& io_;
  config::Config cfg_;
  const Registries& reg_;
  OccurrenceThrottle& throttle_;
  CheckpointTracker tracker_;
  SeenStore seen_{cfg_.state_dir + "/seen", {}};
  RecordCounters records_;
  ParseTotals parsing_;
  BatchLatency latency_;
  std::unique_ptr<ParserSet> parsers_;
  std::unique_ptr<RecordPipeline> pipeline_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Batcher> batcher_;
  // Destroyed before what its followers' sinks use.
  std::unique_ptr<Tailer> tailer_;
  std::vector<std::unique_ptr<JournalInput>> journals_;
  std::unique_ptr<SelfMetrics> metrics_;
  std::unique_ptr<MetricsServer> server_;
  std::unique_ptr<TapServer> tap_;
  asio::steady_timer watchdog_timer_{io_};
  asio::steady_timer throttle_timer_{io_};
  std::chrono::microseconds watchdog_every_{0};
  std::string json_;
  std::string host_;
  bool draining_ = false;
};

void setSignalsBlocked(bool blocked) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

}  // namespace

int runDaemon(const std::string& config_path) {
  const Registries reg = Registries::builtin();
  auto cfg = loadValidConfig(config_path, reg);
  if (!cfg) return kExitConfig;
  OccurrenceThrottle throttle;
  for (;;) {
    std::string error;
    if (!prepareStateDir(cfg->state_dir, &error)) {
      spdlog::critical("{}", error);
      return kExitCantCreate;
    }
    applyTimezone(*cfg);
    asio::io_context io;
    // Signals are caught before anything else starts, so that a SIGTERM or SIGHUP sent right
    // after READY=1 is never fatal.
    asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    setSignalsBlocked(false);
    auto daemon = std::make_unique<Daemon>(io, *cfg, reg, throttle);
    if (const int rc = daemon->start(); rc != kExitOk) return rc;
    sd_notifyf(0, "READY=1\nSTATUS=following %zu files", daemon->fileCount());

    std::optional<config::Config> next;
    bool stop = false;
    bool reread = false;  // a SIGHUP came while a reload was draining
    std::function<void(const boost::system::error_code&, int)> on_signal, while_draining;
    // Signals that arrive during a drain are not lost with this generation's signal_set: a
    // SIGTERM or SIGINT turns a reload into a stop, a SIGHUP during a reload has the config read
    // again once the drain is over, a SIGHUP during a stop is ignored.
    while_draining = [&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig != SIGHUP) {
        if (!stop) {
          spdlog::info("{} during a reload: stopping once the drain is over",
                       sig == SIGTERM ? "SIGTERM" : "SIGINT");
          sd_notify(0, "STOPPING=1");
          stop = true;
        }
      } else if (stop) {
        spdlog::info("SIGHUP while stopping: ignored");
      } else {
        reread = true;
      }
      signals.async_wait(while_draining);
    };
    on_signal = [&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        spdlog::info("SIGHUP: reloading {}", config_path);
        sd_notify(0, "RELOADING=1");
        auto loaded = loadValidConfig(config_path, reg);
        if (!loaded) {
          spdlog::error("the new config is invalid; keeping the running one");
          sd_notify(0, "READY=1");
          signals.async_wait(on_signal);
          return;
        }
        next = std::move(loaded);
      } else {
        spdlog::info("{}: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        sd_notify(0, "STOPPING=1");
        stop = true;
      }
      signals.async_wait(while_draining);
      daemon->drain([&](bool) {
        // From here signals stay pending for the next generation (or the exit) instead of
        // being caught by this generation's signal_set, which goes away with it.
        setSignalsBlocked(true);
        io.stop();
      });
    };
    signals.async_wait(on_signal);
    io.run();
    // A signal caught just before they were blocked is still queued in the signal_set: hand
    // it to while_draining before the set goes away.
    setSignalsBlocked(true);
    io.restart();
    io.poll();
    signals.cancel();
    daemon.reset();
    if (stop || !next) return kExitOk;
    if (reread) {
      spdlog::info("SIGHUP during the reload: reading {} again", config_path);
      if (auto again = loadValidConfig(config_path, reg)) {
        next = std::move(again);
      } else {
        spdlog::error("the new config is invalid; applying the one read before");
      }
    }
    cfg = std::move(next);
    spdlog::info("reloaded");
  }
}

}  // namespace homeo
