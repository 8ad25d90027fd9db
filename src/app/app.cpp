#include "app/app.hpp"

#include <filesystem>

#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "adapters/fs/fs_blob_store.hpp"
#include "adapters/s3/s3_blob_store.hpp"
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "adapters/vips/image_module.hpp"
#include "api/routes.hpp"
#include "auth/mail_queue.hpp"
#include "auth/middleware.hpp"
#include "http/cors.hpp"
#include "http/idempotency.hpp"
#include "http/metrics_middleware.hpp"
#include "http/middleware.hpp"
#include "http/security_headers.hpp"
#include "http/throttle.hpp"
#include "jobs/photo_sweeper.hpp"
#include "jobs/reminder_processor.hpp"
#include "ops/instrumented_item_store.hpp"
#include "ops/metrics.hpp"
#include "services/auth_service.hpp"

namespace kefir {

std::unique_ptr<store::ItemStore> make_item_store(const Config& config, const Clock& clock) {
  if (config.store == "dynamodb") {
    auto dynamodb =
        std::make_unique<store::DynamoDbItemStore>(store::DynamoDbOptions::from_config(config), clock);
    dynamodb->set_on_throttle(
        [](std::string_view operation) { ops::metrics().storage_throttle("dynamodb", operation); });
    return dynamodb;
  }
  std::filesystem::create_directories(config.data_dir);
  return std::make_unique<store::SqliteItemStore>(sqlite_store_path(config), clock);
}

std::string sqlite_store_path(const Config& config) {
  return (std::filesystem::path(config.data_dir) / "kefir.db").string();
}

App::App(Config config, http::Router& router, std::unique_ptr<Clock> clock)
    : context_(std::make_unique<AppContext>()), router_(router) {
  auto& ctx = *context_;
  ctx.config = std::move(config);
  ctx.clock = std::move(clock);
  ctx.store = std::make_unique<ops::InstrumentedItemStore>(make_item_store(ctx.config, *ctx.clock),
                                                           ctx.config.store, ops::metrics());
  ctx.tokens = auth::TokenService::from_config(ctx.config, *ctx.clock);
  ctx.tokens->set_tokens_not_before([store = ctx.store.get()](const std::string& user_id) {
    return services::read_tokens_not_before(*store, user_id);
  });
  ctx.master_secret = ctx.tokens->master_secret();
  ctx.vapid = push::VapidKey::from_config(ctx.config);
  // Blob URLs are signed with a key derived from master_secret, so this comes after it.
  if (ctx.config.blobs == "s3") {
    ctx.blobs = std::make_unique<blob::S3BlobStore>(blob::S3Options::from_config(ctx.config));
  } else {
    ctx.blobs = std::make_unique<blob::FsBlobStore>(std::filesystem::path(ctx.config.data_dir) / "blobs",
                                                    ctx.config.public_base_url, ctx.derive_key("blob-url"),
                                                    *ctx.clock);
  }
  ctx.images = images::make_image_processor();
  ctx.mailer = auth::make_mailer(ctx.config);
  if (ctx.config.list_cache_mb > 0 && ctx.store->data_version())
    ctx.list_pages = std::make_unique<PageCache>(static_cast<std::size_t>(ctx.config.list_cache_mb) << 20);

  // Middleware, outermost first: request id + log line, metrics, security headers, CORS, throttling,
  // authentication, idempotency. Each module adds its own line here, in this order. Security headers wrap
  // CORS so that preflight answers, which CORS gives without going further in, carry them too.
  router_.use(http::request_id_and_log());
  router_.use(http::request_metrics(ops::metrics()));
  router_.use(http::security_headers({.https = ctx.config.public_base_url.starts_with("https://")}));
  router_.use(http::cors(ctx.config.prod() ? http::CorsPolicy::allow_only(ctx.config.cors_origins)
                                           : http::CorsPolicy::allow_any()));
  router_.use(http::throttle(ctx.config.throttle_rate, ctx.config.throttle_burst));
  router_.use(auth::authenticate(*ctx.tokens));
  router_.use(http::idempotency(*ctx.store, *ctx.clock));
  api::register_routes(router_, ctx);
  jobs_.push_back(jobs::make_reminder_processor(ctx));
  jobs_.push_back(
      std::make_unique<jobs::PhotoSweeper>(ctx, std::chrono::seconds(ctx.config.photo_sweep_interval)));
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
