#pragma once
// The one place that chooses and builds adapters from configuration (STORE, BLOBS, SMTP_URL...): the server
// (app/app.cpp), the Lambda loop and the CLI commands that need no server all come here, so the layers below
// see only the ports.
#include <memory>
#include <string>

#include "app/context.hpp"
#include "config/config.hpp"
#include "jobs/reminder_processor.hpp"
#include "ops/metrics.hpp"
#include "ports/blob_store.hpp"
#include "ports/clock.hpp"
#include "ports/item_store.hpp"
#include "ports/mailer.hpp"
#include "ports/zone_database.hpp"

namespace kefir {

// `metrics` counts the store's throttled calls; none for CLI commands.
std::unique_ptr<store::ItemStore> make_item_store(const Config& config, const Clock& clock,
                                                  ops::ServiceMetrics* metrics = nullptr);
// The SQLite store's file: DATA_DIR/kefir.db (also for `kefir backup`, `restore` and `reset`).
std::string sqlite_store_path(const Config& config);

struct BlobStores {
  std::unique_ptr<blob::BlobStore> store;
  blob::SelfServedBlobStore* self_served = nullptr;  // the same store when kefir serves its URLs (BLOBS=file)
};
// `url_key` signs the URLs of a self-served store (derive_key("blob-url")).
BlobStores make_blob_stores(const Config& config, std::string url_key, const Clock& clock);

// The configured transport behind an auth::MailQueue: SMTP when SMTP_URL is set, else (stage dev only) the
// console and DATA_DIR/outbox.log. Throws ConfigError for an unusable MAIL_FROM or a prod stage without
// SMTP_URL.
std::unique_ptr<mail::Mailer> make_mailer(const Config& config, ops::ServiceMetrics& metrics);

std::unique_ptr<tz::ZoneDatabase> make_zone_database();

// The processor the configuration asks for: the Expo client on EXPO_PUSH_URL, EXPO_RATE, the intervals, and
// Web Push signed with the context's VAPID key.
std::unique_ptr<jobs::ReminderProcessor> make_reminder_processor(AppContext& ctx);

}  // namespace kefir
