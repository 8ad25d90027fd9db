#pragma once
// Sign-in and account use cases (SPEC §2) on the item store: one-time codes, self sign-up, refresh-token
// families, the user profile and account deletion. Failures the client must see are domain::Error.
//
// Stored items (keys from domain/keys.hpp):
// - user profile: userId, email, name, createdAt, updatedAt, emailVerified, preferences
// {notificationsEnabled,
//   defaultTemperatureC, timezone, quietHours {enabled, start, end}}, preferencesVersion (bumped whenever the
//   time zone or quiet hours change), sessions (ids of the user's refresh families, newest last),
//   sessionsVersion. Other domains read preferences through read_user_profile().
// - email claim: userId. Written with the profile in one transaction, so an email maps to exactly one user.
// - OTP challenge: codeHash (absent once used or replaced by nothing), expiresAt, attempts, sends (epoch ms
// of
//   the codes sent within the last hour), TTL.
// - refresh family: userId, currentToken (hash of the live token), revoked, createdAt, TTL.
// - refresh token: familyId, issuedAt, rotatedAt (once replaced), TTL.
// - revocation mark: notBeforeMs (epoch ms; every token issued before it is refused), TTL.
#include <optional>
#include <string>
#include <string_view>

#include "domain/errors.hpp"
#include "domain/quiet_hours.hpp"
#include "services/context.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

namespace kefir::services {

struct UserPreferences {
  bool notifications_enabled = true;
  double default_temperature_c = 22;
  // An IANA name of the system's zoneinfo; unset until the user chooses one (shown as UTC, without quiet
  // hours).
  std::optional<std::string> timezone;
  reminders::QuietHours quiet_hours;
};

struct UserProfile {
  std::string user_id;
  std::string email;
  std::string name;
  TimePoint created_at{};
  UserPreferences preferences;
  // 0 until the time zone or quiet hours first change; see delivery_preferences_unchanged().
  std::int64_t preferences_version = 0;
};

std::optional<UserProfile> read_user_profile(store::ItemStore& store, std::string_view user_id);
// The user's revocation mark (epoch ms), for auth::TokenService::set_tokens_not_before.
std::optional<std::int64_t> read_tokens_not_before(store::ItemStore& store, const std::string& user_id);
// A write that must not happen once the account is gone: add it to the transaction that creates user data,
// and answer its failure with account_deleted(). (A deleted user's tokens are refused, but another instance
// learns of that only within auth::kRevocationRecheck.)
store::Check user_exists_check(const std::string& user_id);
domain::Error account_deleted();  // 401
// A write that decided a delivery time from the preferences read at `preferences_version` must fail
// (ConditionFailed) if the time zone or quiet hours changed since: add it to the write's transaction.
store::Check delivery_preferences_unchanged(const std::string& user_id, std::int64_t preferences_version);
// {"userId","email","name","createdAt","preferences":{...}}: the `user` of GET /me and of sign-in responses
// (a time zone not chosen yet shows as UTC).
json::object user_json(const UserProfile& user);

struct SignedInTokens {
  std::string access_token;
  std::string id_token;
  std::string refresh_token;
  UserProfile user;
};

struct ProfileChanges {
  std::optional<std::string> name;
  std::optional<bool> notifications_enabled;
  std::optional<double> default_temperature_c;
  std::optional<std::string> timezone;
  // Each part of the quiet hours the client sent; the others stay as they were.
  std::optional<bool> quiet_hours_enabled;
  std::optional<minutes> quiet_hours_start;
  std::optional<minutes> quiet_hours_end;

  // The change can move reminders' delivery times.
  bool changes_delivery() const {
    return timezone || quiet_hours_enabled || quiet_hours_start || quiet_hours_end;
  }
};

inline constexpr std::chrono::hours kRefreshTokenLifetime{24 * 30};
inline constexpr std::size_t kMaxSessionsPerUser = 20;
// the oldest family is revoked beyond it

class AuthService {
 public:
  explicit AuthService(ServiceContext& ctx);

  // Issues and mails a code unless inside the resend cooldown; throws THROTTLED beyond the per-email limit.
  // The same work happens whether or not an account exists (no user enumeration).
  void login(const std::string& email);
  // Checks the code (401 INVALID_CODE when wrong, expired, used or burned), creates the user at the first
  // success, and opens a new refresh family.
  SignedInTokens verify(const std::string& email, std::string_view code);
  // Rotates the refresh token; 401 when unknown, expired or revoked, and for a rotated token outside the
  // reuse grace (which also revokes its family).
  SignedInTokens refresh(std::string_view refresh_token);
  // Revokes the token's family; unknown tokens are ignored.
  void logout(std::string_view refresh_token);
  // Every access and refresh token of the user issued until now is refused from now on (DELETE
  // /me/sessions); a later sign-in works.
  void sign_out_everywhere(const std::string& user_id);

  // The user owning `email`, created with its email claim in one transaction when there is none; of two
  // concurrent first sign-ins, the loser returns the winner's user. A new user gets `new_user_id` when given
  // (the seed data's fixed id), else a fresh UUIDv4.
  UserProfile find_or_create_user(const std::string& email,
                                  const std::optional<std::string>& new_user_id = std::nullopt);

  UserProfile profile(const std::string& user_id);  // 404 when gone
  UserProfile update_profile(const std::string& user_id, const ProfileChanges& changes);
  // Refuses every token of the user (sign_out_everywhere), lets each domain delete its data (DomainHooks),
  // then removes the sessions, the profile, the email claim and any pending code. Safe to repeat after a
  // partial failure.
  void delete_account(const std::string& user_id);

 private:
  std::string open_family(const UserProfile& user);
  SignedInTokens tokens_for(const UserProfile& user, std::string refresh_token);
  void revoke_family(const std::string& family_id, std::string_view reason);

  ServiceContext& ctx_;
  std::string otp_key_;
};

}  // namespace kefir::services
