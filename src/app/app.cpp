#include "app/app.hpp"

#include <filesystem>

#include "adapters/vips/image_module.hpp"
#include "api/routes.hpp"
#include "app/adapters.hpp"
#include "auth/middleware.hpp"
#include "http/cors.hpp"
#include "http/idempotency.hpp"
#include "http/metrics_middleware.hpp"
#include "http/middleware.hpp"
#include "http/security_headers.hpp"
#include "http/throttle.hpp"
#include "jobs/periodic_job.hpp"
#include "jobs/photo_sweeper.hpp"
#include "jobs/reminder_processor.hpp"
#include "jobs/rendition_worker.hpp"
#include "jobs/stream_hub.hpp"
#include "ops/instrumented_item_store.hpp"
#include "ops/metrics.hpp"
#include "services/auth_service.hpp"
#include "services/batch_service.hpp"
#include "services/change_log.hpp"
#include "services/device_service.hpp"
#include "services/photo_service.hpp"
#include "services/reminder_service.hpp"
#include "services/sensor_service.hpp"
#include "services/sync_service.hpp"

namespace kefir {
namespace {

// The change log as the live streams read it: the pages of GET /sync.
class SyncChangeFeed final : public jobs::ChangeFeed {
 public:
  explicit SyncChangeFeed(AppContext& ctx) : ctx_(ctx) {}

  std::uint64_t current_seq(const std::string& user_id) override {
    return services::current_change_seq(*ctx_.store, user_id);
  }
  std::string token(const std::string& user_id, std::uint64_t seq) override {
    return services::change_token(ctx_, user_id, seq);
  }
  Page read(const std::string& user_id, std::string_view since) override {
    auto page = services::read_changes(ctx_, user_id, since, services::kDefaultSyncLimit);
    bool has_changes = std::any_of(page.changes.begin(), page.changes.end(), [](const auto& table) {
      const auto& kinds = table.value().as_object();
      return std::any_of(kinds.begin(), kinds.end(),
                         [](const auto& kind) { return !kind.value().as_array().empty(); });
    });
    json::object body{{"changes", std::move(page.changes)}, {"next", page.next}, {"more", page.more}};
    return {json::serialize(body), std::move(page.next), page.more, has_changes, page.last_seq};
  }

 private:
  AppContext& ctx_;
};

// The live streams of a process that serves HTTP itself (not Lambda, whose responses are buffered).
std::unique_ptr<jobs::StreamHub> make_stream_hub(AppContext& ctx) {
  jobs::StreamHubPorts ports{.feed = std::make_shared<SyncChangeFeed>(ctx),
                             .clock = *ctx.clock,
                             .data_version = [store = ctx.store.get()] { return store->data_version(); },
                             .token_valid =
                                 [tokens = ctx.tokens.get()](const std::string& token) {
                                   return tokens->verify_access_token(token).has_value();
                                 }};
  jobs::StreamHubOptions options{.per_user = ctx.config.streams_per_user,
                                 .per_instance = ctx.config.max_streams,
                                 .heartbeat = std::chrono::seconds(ctx.config.stream_heartbeat)};
  return std::make_unique<jobs::StreamHub>(std::move(ports), options);
}

// What each domain must do when an account or a batch goes away, whichever routes this process serves. The
// change log's comes last: its account_deleted hook removes the log after every other domain's cleanup has
// written to it.
void register_domain_hooks(ServiceContext& ctx) {
  services::register_batch_hooks(ctx);
  services::register_device_hooks(ctx);
  services::register_reminder_hooks(ctx);
  services::register_sensor_hooks(ctx);
  services::register_photo_hooks(ctx);
  services::register_change_log_hooks(ctx);
}

}  // namespace

App::App(Config config, http::Router& router, std::unique_ptr<Clock> clock)
    : context_(std::make_unique<AppContext>()), router_(router) {
  auto& ctx = *context_;
  // The process-wide series: /metrics exposes one registry however many Apps a process runs (tests).
  auto& metrics = ops::metrics();
  ctx.metrics = &metrics;
  ctx.config = std::move(config);
  ctx.clock = std::move(clock);
  ctx.store = std::make_unique<ops::InstrumentedItemStore>(make_item_store(ctx.config, *ctx.clock, &metrics),
                                                           ctx.config.store, metrics);
  ctx.tokens = auth::TokenService::from_config(ctx.config, *ctx.clock);
  ctx.tokens->set_tokens_not_before([store = ctx.store.get()](const std::string& user_id) {
    return services::read_tokens_not_before(*store, user_id);
  });
  ctx.master_secret = ctx.tokens->master_secret();
  ctx.vapid = push::VapidKey::from_config(ctx.config);
  // Blob URLs are signed with a key derived from master_secret, so this comes after it.
  auto blobs = make_blob_stores(ctx.config, ctx.derive_key("blob-url"), *ctx.clock);
  ctx.blobs = std::move(blobs.store);
  ctx.self_served_blobs = blobs.self_served;
  ctx.images = images::make_image_processor();
  ctx.zones = make_zone_database();
  ctx.mailer = make_mailer(ctx.config, metrics);
  if (ctx.config.list_cache_mb > 0 && ctx.store->data_version())
    ctx.list_pages = std::make_unique<PageCache>(static_cast<std::size_t>(ctx.config.list_cache_mb) << 20);

  // Middleware, outermost first: request id + log line, metrics, security headers, CORS, throttling,
  // authentication, idempotency. Each module adds its own line here, in this order. Security headers wrap
  // CORS so that preflight answers, which CORS gives without going further in, carry them too.
  router_.use(http::request_id_and_log());
  router_.use(http::request_metrics(metrics));
  router_.use(http::security_headers({.https = ctx.config.public_base_url.starts_with("https://")}));
  router_.use(http::cors(ctx.config.prod() ? http::CorsPolicy::allow_only(ctx.config.cors_origins)
                                           : http::CorsPolicy::allow_any()));
  router_.use(http::throttle(ctx.config.throttle_rate, ctx.config.throttle_burst, metrics));
  router_.use(auth::authenticate(*ctx.tokens));
  router_.use(http::idempotency(*ctx.store, *ctx.clock));
  if (!ctx.config.lambda_mode) {
    auto streams = make_stream_hub(ctx);
    ctx.live_streams = streams.get();
    ctx.user_changed = [streams = streams.get()](const std::string& user_id, std::uint64_t seq) {
      streams->user_changed(user_id, seq);
    };
    jobs_.push_back(std::move(streams));
  }
  register_domain_hooks(ctx);
  api::register_routes(router_, ctx);
  jobs_.push_back(make_reminder_processor(ctx));
  jobs_.push_back(
      std::make_unique<jobs::PhotoSweeper>(ctx, std::chrono::seconds(ctx.config.photo_sweep_interval)));
  jobs_.push_back(std::make_unique<jobs::PeriodicJob>("sensor silence sweep",
                                                      std::chrono::seconds(ctx.config.sensor_sweep_interval),
                                                      [&ctx] { services::alert_silent_sensors(ctx); }));
  // Also with RENDITIONS=inline: it finishes the photos of processes that defer them (the Lambda shape).
  if (ctx.images)
    jobs_.push_back(
        std::make_unique<jobs::RenditionWorker>(ctx, std::chrono::seconds(ctx.config.rendition_interval)));
}

App::~App() {
  stop_jobs();
}

void App::start_jobs() {
  for (auto& job : jobs_) job->start();
}

void App::stop_jobs() {
  for (auto& job : jobs_) job->stop();
}

}  // namespace kefir
