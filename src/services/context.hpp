#pragma once
// What services and jobs work with: configuration, the ports and the cross-domain hooks. The adapters behind
// the ports are chosen and built in app/ (app/app.cpp); nothing here knows which ones.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/token_service.hpp"
#include "config/config.hpp"
#include "ports/blob_store.hpp"
#include "ports/clock.hpp"
#include "ports/image_processor.hpp"
#include "ports/item_store.hpp"
#include "ports/mailer.hpp"
#include "ports/zone_database.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"

namespace kefir {

// Cross-domain hooks: a domain registers what it must do when an account or a batch goes away, so deleting
// stays one place that every domain adds its part to (SPEC §2 DELETE /me, §3 permanent delete).
struct DomainHooks {
  std::vector<std::function<void(const std::string& user_id)>> account_deleted;
  std::vector<std::function<void(const std::string& user_id, const std::string& batch_id)>> batch_deleted;
  std::vector<std::function<void(const std::string& user_id, const std::string& batch_id)>> batch_archived;

  void run_account_deleted(const std::string& user_id) const {
    for (const auto& hook : account_deleted) hook(user_id);
  }
  void run_batch_deleted(const std::string& user_id, const std::string& batch_id) const {
    for (const auto& hook : batch_deleted) hook(user_id, batch_id);
  }
  void run_batch_archived(const std::string& user_id, const std::string& batch_id) const {
    for (const auto& hook : batch_archived) hook(user_id, batch_id);
  }
};

struct ServiceContext {
  Config config;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<store::ItemStore> store;
  std::unique_ptr<blob::BlobStore> blobs;          // photos and generated exports (BLOBS=file | s3)
  std::unique_ptr<images::ImageProcessor> images;  // photo renditions (libvips); null in a build without them
  std::unique_ptr<tz::ZoneDatabase> zones;         // users' time zones (PATCH /me, quiet hours)
  UuidV7Generator batch_ids;
  DomainHooks hooks;
  std::unique_ptr<auth::TokenService>
      tokens;                            // signs and verifies JWTs; its key is the root of master_secret
  std::unique_ptr<mail::Mailer> mailer;  // queued: send() returns at once (auth::MailQueue)
  // The one secret to manage (SPEC §1): derived from the token signing key, so every instance sharing the key
  // agrees. OTP hashes, cursors and blob URL signatures each use their own derived key.
  std::string master_secret;
  // Set by the reminder processor of this process: a reminder becomes due at the given time, so it can wake
  // before its next planned look (SPEC §5: within 5 s of the time). Unset when no processor runs here.
  std::function<void(TimePoint due)> reminder_scheduled;
  // Called after every transaction of this process that committed a change of the user's data, with the
  // user's change sequence after it (services/change_log.hpp), so a live stream here wakes at once. Unset
  // when nothing listens.
  std::function<void(const std::string& user_id, std::uint64_t seq)> user_changed;

  TimePoint now() const { return clock->now(); }
  // Derived keys are remembered: list endpoints need the cursor key on every request, and HKDF costs more
  // than the rest of a small page. Keyed by the secret too, so a context whose secret is set later stays
  // right.
  std::string derive_key(std::string_view purpose) const {
    std::string cache_key = std::string(purpose) + '\0' + master_secret;
    std::lock_guard lock(derived_keys_mutex_);
    auto found = derived_keys_.find(cache_key);
    if (found != derived_keys_.end()) return found->second;
    return derived_keys_.emplace(std::move(cache_key), crypto::hkdf_sha256(master_secret, "kefir", purpose))
        .first->second;
  }

 private:
  mutable std::mutex derived_keys_mutex_;
  mutable std::map<std::string, std::string> derived_keys_;
};

}  // namespace kefir
