#include "app/adapters.hpp"

#include <filesystem>
#include <stdexcept>

#include "adapters/console/console_mailer.hpp"
#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "adapters/expo/expo_push_sender.hpp"
#include "adapters/fs/fs_blob_store.hpp"
#include "adapters/fs/zoneinfo.hpp"
#include "adapters/s3/s3_blob_store.hpp"
#include "adapters/smtp/smtp_mailer.hpp"
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "adapters/webpush/vapid_web_push_sender.hpp"
#include "auth/mail_queue.hpp"

namespace kefir {

std::unique_ptr<store::ItemStore> make_item_store(const Config& config, const Clock& clock,
                                                  ops::ServiceMetrics* metrics) {
  if (config.store == "dynamodb") {
    auto dynamodb =
        std::make_unique<store::DynamoDbItemStore>(store::DynamoDbOptions::from_config(config), clock);
    if (metrics)
      dynamodb->set_on_throttle(
          [metrics](std::string_view operation) { metrics->storage_throttle("dynamodb", operation); });
    return dynamodb;
  }
  std::filesystem::create_directories(config.data_dir);
  return std::make_unique<store::SqliteItemStore>(sqlite_store_path(config), clock);
}

std::string sqlite_store_path(const Config& config) {
  return (std::filesystem::path(config.data_dir) / "kefir.db").string();
}

BlobStores make_blob_stores(const Config& config, std::string url_key, const Clock& clock) {
  if (config.blobs == "s3")
    return {std::make_unique<blob::S3BlobStore>(blob::S3Options::from_config(config))};
  auto files = std::make_unique<blob::FsBlobStore>(std::filesystem::path(config.data_dir) / "blobs",
                                                   config.public_base_url, std::move(url_key), clock);
  auto* self_served = files.get();
  return {std::move(files), self_served};
}

std::unique_ptr<mail::Mailer> make_mailer(const Config& config, ops::ServiceMetrics& metrics) {
  auth::MailQueueOptions options;
  options.synchronous = config.lambda_mode;
  if (!config.smtp_url.empty()) {
    try {
      return std::make_unique<auth::MailQueue>(
          std::make_unique<mail::SmtpMailer>(config.smtp_url, config.mail_from), "smtp", metrics, options);
    } catch (const std::invalid_argument& error) {
      throw ConfigError(error.what());
    }
  }
  if (config.prod()) throw ConfigError("stage prod requires SMTP_URL");
  auto outbox = std::filesystem::path(config.data_dir) / "outbox.log";
  return std::make_unique<auth::MailQueue>(std::make_unique<mail::ConsoleMailer>(outbox.string()), "console",
                                           metrics, options);
}

std::unique_ptr<tz::ZoneDatabase> make_zone_database() {
  return std::make_unique<tz::SystemZoneDatabase>();
}

std::unique_ptr<jobs::ReminderProcessor> make_reminder_processor(AppContext& ctx) {
  push::ExpoOptions expo;
  expo.push_url = ctx.config.expo_push_url;
  expo.access_token = ctx.config.expo_access_token;
  expo.rate = ctx.config.expo_rate;
  jobs::ReminderProcessorOptions options;
  options.interval = std::chrono::seconds(ctx.config.reminder_interval);
  options.receipt_delay = std::chrono::seconds(ctx.config.expo_receipt_delay);
  return std::make_unique<jobs::ReminderProcessor>(
      ctx, std::make_shared<push::ExpoPushSender>(expo),
      std::make_shared<push::VapidWebPushSender>(ctx.vapid, *ctx.clock), *ctx.metrics, options);
}

}  // namespace kefir
