#pragma once
// What handlers and jobs share: configuration and the ports. Adapters are chosen in app/app.cpp; domain and
// API code sees only the port interfaces.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/token_service.hpp"
#include "config/config.hpp"
#include "ports/blob_store.hpp"
#include "ports/clock.hpp"
#include "ports/item_store.hpp"
#include "ports/mailer.hpp"
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

struct AppContext {
  Config config;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<store::ItemStore> store;
  std::unique_ptr<blob::BlobStore> blobs;  // photos and generated exports (BLOBS=file | s3)
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

  TimePoint now() const { return clock->now(); }
  std::string derive_key(std::string_view purpose) const {
    return crypto::hkdf_sha256(master_secret, "kefir", purpose);
  }
};

}  // namespace kefir
