#include "services/auth_service.hpp"

#include "domain/errors.hpp"
#include "domain/keys.hpp"
#include "domain/otp.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace kefir::services {
namespace {

// Each lost optimistic write means a concurrent writer won, so with N writers on one item nobody loses more
// than N-1 times; beyond this many a request gives up.
constexpr int kWriteAttempts = 10;
constexpr std::size_t kRefreshTokenBytes = 32;
constexpr std::size_t kMaxRefreshTokenLength = 512;
constexpr std::string_view kPreferencesVersion = "preferencesVersion";

domain::Error invalid_code() {
  return domain::Error(domain::Failure::Unauthenticated, "INVALID_CODE", "invalid or expired code");
}
domain::Error invalid_refresh_token() {
  return domain::unauthorized("invalid or expired refresh token");
}

json::value number_value(double value) {
  if (value == static_cast<double>(static_cast<std::int64_t>(value))) return static_cast<std::int64_t>(value);
  return value;
}

// As stored: a time zone only once the user chose one.
json::object preferences_json(const UserPreferences& preferences) {
  json::object out{{"notificationsEnabled", preferences.notifications_enabled},
                   {"defaultTemperatureC", number_value(preferences.default_temperature_c)},
                   {"quietHours",
                    {{"enabled", preferences.quiet_hours.enabled},
                     {"start", reminders::format_clock_time(preferences.quiet_hours.start)},
                     {"end", reminders::format_clock_time(preferences.quiet_hours.end)}}}};
  if (preferences.timezone) out["timezone"] = *preferences.timezone;
  return out;
}

reminders::QuietHours quiet_hours_from(const json::object& preferences) {
  reminders::QuietHours quiet;
  const auto* stored = preferences.if_contains("quietHours");
  if (!stored || !stored->is_object()) return quiet;
  const auto& object = stored->get_object();
  quiet.enabled = json_bool(object, "enabled", quiet.enabled);
  quiet.start = reminders::parse_clock_time(json_string(object, "start")).value_or(quiet.start);
  quiet.end = reminders::parse_clock_time(json_string(object, "end")).value_or(quiet.end);
  return quiet;
}

UserProfile profile_from_item(const store::Item& item) {
  UserProfile user;
  user.user_id = json_string(item, "userId");
  user.email = json_string(item, "email");
  user.name = json_string(item, "name");
  user.created_at = parse_rfc3339(json_string(item, "createdAt")).value_or(TimePoint{});
  if (auto* preferences = item.if_contains("preferences"); preferences && preferences->is_object()) {
    const auto& object = preferences->get_object();
    user.preferences.notifications_enabled = json_bool(object, "notificationsEnabled", true);
    user.preferences.default_temperature_c =
        json_number(object, "defaultTemperatureC").value_or(user.preferences.default_temperature_c);
    if (auto timezone = json_string(object, "timezone"); !timezone.empty())
      user.preferences.timezone = timezone;
    user.preferences.quiet_hours = quiet_hours_from(object);
  }
  user.preferences_version = json_int(item, kPreferencesVersion).value_or(0);
  return user;
}

std::vector<std::string> string_list(const store::Item& item, std::string_view attribute) {
  std::vector<std::string> out;
  if (auto* value = item.if_contains(attribute); value && value->is_array())
    for (const auto& entry : value->get_array())
      if (entry.is_string()) out.emplace_back(entry.get_string());
  return out;
}

mail::Message code_message(const std::string& email, const std::string& code) {
  auto minutes = std::to_string(domain::kCodeLifetime.count());
  mail::Message message;
  message.to = email;
  message.subject = "Your Kefir sign-in code";
  message.text =
      "Your Kefir sign-in code is " + code + "\n\nEnter it in the Kefir app to sign in. It expires in " +
      minutes +
      " minutes and works once.\n\nIf you did not try to sign in, ignore this message: nobody can sign in "
      "without the code.\n";
  message.html =
      "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">"
      "<p>Your Kefir sign-in code is</p>"
      "<p style=\"font-size:28px;font-weight:bold;letter-spacing:4px\">" +
      code +
      "</p>"
      "<p>Enter it in the Kefir app to sign in. It expires in " +
      minutes +
      " minutes and works once.</p>"
      "<p>If you did not try to sign in, ignore this message: nobody can sign in without the code.</p>"
      "</body></html>";
  return message;
}

}  // namespace

std::optional<UserProfile> read_user_profile(store::ItemStore& store, std::string_view user_id) {
  auto item = store.get(keys::user_profile(user_id));
  if (!item) return std::nullopt;
  return profile_from_item(*item);
}

std::optional<std::int64_t> read_tokens_not_before(store::ItemStore& store, const std::string& user_id) {
  auto item = store.get(keys::tokens_not_before(user_id));
  if (!item) return std::nullopt;
  return json_int(*item, "notBeforeMs");
}

store::Check user_exists_check(const std::string& user_id) {
  return {keys::user_profile(user_id), store::Condition::item_exists()};
}

store::Check delivery_preferences_unchanged(const std::string& user_id, std::int64_t preferences_version) {
  const std::string attribute(kPreferencesVersion);
  return {keys::user_profile(user_id), preferences_version == 0
                                           ? store::Condition::not_exists(attribute)
                                           : store::Condition::equals(attribute, preferences_version)};
}

domain::Error account_deleted() {
  return domain::unauthorized("the account has been deleted");
}

json::object user_json(const UserProfile& user) {
  auto preferences = preferences_json(user.preferences);
  preferences["timezone"] = user.preferences.timezone.value_or("UTC");
  return {{"userId", user.user_id},
          {"email", user.email},
          {"name", user.name},
          {"createdAt", format_rfc3339(user.created_at)},
          {"preferences", std::move(preferences)}};
}

AuthService::AuthService(ServiceContext& ctx) : ctx_(ctx), otp_key_(ctx.derive_key("otp")) {}

void AuthService::login(const std::string& email) {
  auto key = keys::otp_challenge(email);
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    auto now = ctx_.now();
    auto existing = ctx_.store->get(key);
    std::vector<TimePoint> previous_sends;
    if (existing)
      if (auto* sends = existing->if_contains("sends"); sends && sends->is_array())
        for (const auto& sent : sends->get_array())
          if (sent.is_number())
            previous_sends.push_back(from_epoch_millis(static_cast<std::int64_t>(sent.to_number<double>())));
    auto decision = domain::decide_login(previous_sends, now);
    if (decision.action == domain::LoginAction::cooldown) {
      log::info("sign-in code not resent: cooldown", {{"email", log::email(email)}});
      return;
    }
    if (decision.action == domain::LoginAction::rate_limited) {
      log::info("sign-in code limit reached", {{"email", log::email(email)}});
      throw domain::throttled(static_cast<int>(decision.retry_after.count()),
                              "too many codes requested for this email; try again later");
    }
    auto code = domain::generate_code();
    auto expires_at = now + domain::kCodeLifetime;
    json::array sends;
    for (auto sent : decision.sends) sends.push_back(epoch_millis(sent));
    // The item outlives its code while its sends still count against the hourly limit.
    auto keep_until = std::max(expires_at, decision.sends.front() + domain::kCodeWindow);
    std::int64_t version = existing ? json_int(*existing, "version").value_or(0) : 0;
    store::Item item{{"PK", key.pk},
                     {"SK", key.sk},
                     {"codeHash", domain::code_hash(otp_key_, email, code)},
                     {"expiresAt", epoch_millis(expires_at)},
                     {"attempts", 0},
                     {"sends", std::move(sends)},
                     {"version", version + 1},
                     {"TTL", epoch_seconds(keep_until) + 1}};
    auto condition =
        existing ? store::Condition::equals("version", version) : store::Condition::item_absent();
    try {
      ctx_.store->put(item, condition);
    } catch (const store::ConditionFailed&) {
      continue;  // a concurrent login for this email wrote first; decide again on what it wrote
    }
    ctx_.mailer->send(code_message(email, code));
    log::info("sign-in code issued", {{"email", log::email(email)}});
    return;
  }
  log::warn("sign-in code not issued: concurrent logins kept winning", {{"email", log::email(email)}});
}

SignedInTokens AuthService::verify(const std::string& email, std::string_view code) {
  auto key = keys::otp_challenge(email);
  auto now = ctx_.now();
  // An attempt is spent before the comparison, atomically, so parallel guesses cannot exceed the limit.
  store::Update spend;
  spend.add = {{"attempts", 1}};
  auto usable = store::Condition::all_of({store::Condition::exists("codeHash"),
                                          store::Condition::less("attempts", domain::kMaxCodeAttempts),
                                          store::Condition::greater("expiresAt", epoch_millis(now))});
  store::Item challenge;
  try {
    challenge = ctx_.store->update(key, spend, usable);
  } catch (const store::ConditionFailed&) {
    throw invalid_code();
  }
  auto stored_hash = json_string(challenge, "codeHash");
  if (!crypto::constant_time_equal(stored_hash, domain::code_hash(otp_key_, email, code))) {
    if (json_int(challenge, "attempts").value_or(0) >= domain::kMaxCodeAttempts)
      log::info("sign-in code burned after wrong attempts", {{"email", log::email(email)}});
    throw invalid_code();
  }
  store::Update use;
  use.remove = {"codeHash"};
  try {
    ctx_.store->update(key, use, store::Condition::equals("codeHash", json::string(stored_hash)));
  } catch (const store::ConditionFailed&) {
    throw invalid_code();  // used by a concurrent verify, or replaced by a new login
  }
  auto user = find_or_create_user(email);
  log::info("signed in", {{"userId", user.user_id}});
  return tokens_for(user, open_family(user));
}

UserProfile AuthService::find_or_create_user(const std::string& email,
                                             const std::optional<std::string>& new_user_id) {
  auto claim_key = keys::email_claim(email);
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    if (auto claim = ctx_.store->get(claim_key)) {
      auto user_id = json_string(*claim, "userId");
      if (auto user = read_user_profile(*ctx_.store, user_id)) return *user;
      // Profile and claim are written and deleted together; a claim alone is not trusted, and replaced.
      try {
        ctx_.store->remove(claim_key, store::Condition::equals("userId", json::string(user_id)));
      } catch (const store::ConditionFailed&) {
      }
      continue;
    }
    UserProfile user{new_user_id ? *new_user_id : uuid_v4(), email, "", ctx_.now(), {}};
    auto profile_key = keys::user_profile(user.user_id);
    store::Item profile{{"PK", profile_key.pk},
                        {"SK", profile_key.sk},
                        {"userId", user.user_id},
                        {"email", email},
                        {"name", user.name},
                        {"emailVerified", true},
                        {"createdAt", format_rfc3339(user.created_at)},
                        {"updatedAt", format_rfc3339(user.created_at)},
                        {"preferences", preferences_json(user.preferences)},
                        {"sessions", json::array()},
                        {"sessionsVersion", 0}};
    store::Item claim{{"PK", claim_key.pk},
                      {"SK", claim_key.sk},
                      {"userId", user.user_id},
                      {"createdAt", format_rfc3339(user.created_at)}};
    try {
      ctx_.store->transact_write({store::Put{std::move(profile), store::Condition::item_absent()},
                                  store::Put{std::move(claim), store::Condition::item_absent()}});
    } catch (const store::ConditionFailed&) {
      continue;  // another first sign-in for this email won: read its user
    }
    log::info("user signed up", {{"userId", user.user_id}});
    return user;
  }
  throw std::runtime_error("could not create or read the user of a sign-in");
}

std::string AuthService::open_family(const UserProfile& user) {
  auto profile_key = keys::user_profile(user.user_id);
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    auto profile = ctx_.store->get(profile_key);
    if (!profile) throw domain::unauthorized("the account no longer exists");
    auto version = json_int(*profile, "sessionsVersion").value_or(0);
    auto sessions = string_list(*profile, "sessions");
    auto now = ctx_.now();
    auto expires = epoch_seconds(now + kRefreshTokenLifetime);
    auto family_id = uuid_v4();
    auto token = crypto::base64url_encode(crypto::random_bytes(kRefreshTokenBytes));
    auto token_hash = crypto::sha256_hex(token);
    sessions.push_back(family_id);
    std::vector<std::string> dropped;
    while (sessions.size() > kMaxSessionsPerUser) {
      dropped.push_back(sessions.front());
      sessions.erase(sessions.begin());
    }
    auto family_key = keys::refresh_family(family_id);
    auto token_key = keys::refresh_token(token_hash);
    store::Update record;
    record.set["sessions"] = json::array(sessions.begin(), sessions.end());
    record.add = {{"sessionsVersion", 1}};
    std::vector<store::WriteOp> operations{
        store::Put{{{"PK", family_key.pk},
                    {"SK", family_key.sk},
                    {"userId", user.user_id},
                    {"currentToken", token_hash},
                    {"createdAt", format_rfc3339(now)},
                    {"TTL", expires}},
                   store::Condition::item_absent()},
        store::Put{{{"PK", token_key.pk},
                    {"SK", token_key.sk},
                    {"familyId", family_id},
                    {"issuedAt", epoch_millis(now)},
                    {"TTL", expires}},
                   store::Condition::item_absent()},
        store::UpdateItem{profile_key, std::move(record),
                          store::Condition::equals("sessionsVersion", version)}};
    for (const auto& old_family : dropped)
      operations.push_back(store::Delete{keys::refresh_family(old_family), {}});
    try {
      ctx_.store->transact_write(operations);
    } catch (const store::ConditionFailed&) {
      continue;  // a concurrent sign-in or deletion changed the profile
    }
    return token;
  }
  throw std::runtime_error("could not record a new session");
}

SignedInTokens AuthService::tokens_for(const UserProfile& user, std::string refresh_token) {
  return {ctx_.tokens->issue_access_token(user.user_id),
          ctx_.tokens->issue_id_token(user.user_id, user.email, true), std::move(refresh_token), user};
}

SignedInTokens AuthService::refresh(std::string_view refresh_token) {
  if (refresh_token.empty() || refresh_token.size() > kMaxRefreshTokenLength) throw invalid_refresh_token();
  auto presented_hash = crypto::sha256_hex(refresh_token);
  auto grace = std::chrono::seconds(ctx_.config.refresh_reuse_grace);
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    auto presented = ctx_.store->get(keys::refresh_token(presented_hash));
    if (!presented) throw invalid_refresh_token();
    auto family_id = json_string(*presented, "familyId");
    auto family_key = keys::refresh_family(family_id);
    auto family = ctx_.store->get(family_key);
    if (!family || json_bool(*family, "revoked")) throw invalid_refresh_token();
    auto not_before = read_tokens_not_before(*ctx_.store, json_string(*family, "userId"));
    if (not_before && json_int(*presented, "issuedAt").value_or(0) < *not_before) {
      revoke_family(family_id, "signed out everywhere");
      throw invalid_refresh_token();
    }
    auto now = ctx_.now();
    auto current_hash = json_string(*family, "currentToken");
    if (current_hash != presented_hash) {
      // Already rotated: a retry after a lost response (inside the grace) or a stolen copy (after it). The
      // copy read above may predate the rotation the family shows (one transaction set both): read it again,
      // or a concurrent refresh of the same token looks like reuse and signs the user out.
      presented = ctx_.store->get(keys::refresh_token(presented_hash));
      if (!presented) throw invalid_refresh_token();
      auto rotated_at = json_int(*presented, "rotatedAt");
      if (!rotated_at || now - from_epoch_millis(*rotated_at) > grace) {
        revoke_family(family_id, "reuse of a rotated refresh token");
        throw domain::unauthorized("refresh token reuse detected; sign in again");
      }
    }
    auto token = crypto::base64url_encode(crypto::random_bytes(kRefreshTokenBytes));
    auto token_hash = crypto::sha256_hex(token);
    auto token_key = keys::refresh_token(token_hash);
    auto expires = epoch_seconds(now + kRefreshTokenLifetime);
    store::Update advance;
    advance.set = {{"currentToken", token_hash}, {"refreshedAt", format_rfc3339(now)}, {"TTL", expires}};
    store::Update retire;
    retire.set = {{"rotatedAt", epoch_millis(now)}};
    std::vector<store::WriteOp> operations{
        store::UpdateItem{
            family_key, std::move(advance),
            store::Condition::all_of({store::Condition::equals("currentToken", json::string(current_hash)),
                                      store::Condition::not_exists("revoked")})},
        store::UpdateItem{keys::refresh_token(current_hash), std::move(retire),
                          store::Condition::exists("familyId")},
        store::Put{{{"PK", token_key.pk},
                    {"SK", token_key.sk},
                    {"familyId", family_id},
                    {"issuedAt", epoch_millis(now)},
                    {"TTL", expires}},
                   store::Condition::item_absent()}};
    try {
      ctx_.store->transact_write(operations);
    } catch (const store::ConditionFailed&) {
      continue;  // a concurrent refresh of this family rotated first: judge the token again
    }
    auto user = read_user_profile(*ctx_.store, json_string(*family, "userId"));
    if (!user) {
      revoke_family(family_id, "account deleted");
      throw invalid_refresh_token();
    }
    return tokens_for(*user, std::move(token));
  }
  throw std::runtime_error("could not rotate a refresh token");
}

void AuthService::logout(std::string_view refresh_token) {
  if (refresh_token.empty() || refresh_token.size() > kMaxRefreshTokenLength) return;
  auto presented = ctx_.store->get(keys::refresh_token(crypto::sha256_hex(refresh_token)));
  if (presented) revoke_family(json_string(*presented, "familyId"), "logout");
}

void AuthService::sign_out_everywhere(const std::string& user_id) {
  auto now = ctx_.now();
  auto key = keys::tokens_not_before(user_id);
  // Kept while a refresh token it refuses could still be presented (the longest-lived token).
  ctx_.store->put({{"PK", key.pk},
                   {"SK", key.sk},
                   {"notBeforeMs", epoch_millis(now)},
                   {"TTL", epoch_seconds(now + kRefreshTokenLifetime)}});
  ctx_.tokens->revoke_tokens_before(user_id, epoch_millis(now));
  log::info("signed out everywhere", {{"userId", user_id}});
}

void AuthService::revoke_family(const std::string& family_id, std::string_view reason) {
  store::Update revoke;
  revoke.set = {{"revoked", true}, {"revokedAt", format_rfc3339(ctx_.now())}};
  try {
    auto family =
        ctx_.store->update(keys::refresh_family(family_id), revoke, store::Condition::item_exists());
    auto level = reason == "logout" ? log::Level::info : log::Level::warn;
    log::write(level, "refresh family revoked",
               {{"familyId", family_id}, {"userId", json_string(family, "userId")}, {"reason", reason}});
  } catch (const store::ConditionFailed&) {
  }
}

UserProfile AuthService::profile(const std::string& user_id) {
  auto user = read_user_profile(*ctx_.store, user_id);
  if (!user) throw domain::not_found("user not found");
  return *user;
}

UserProfile AuthService::update_profile(const std::string& user_id, const ProfileChanges& changes) {
  auto user = profile(user_id);
  if (changes.name) user.name = *changes.name;
  if (changes.notifications_enabled) user.preferences.notifications_enabled = *changes.notifications_enabled;
  if (changes.default_temperature_c) user.preferences.default_temperature_c = *changes.default_temperature_c;
  if (changes.timezone) user.preferences.timezone = *changes.timezone;
  auto& quiet = user.preferences.quiet_hours;
  if (changes.quiet_hours_enabled) quiet.enabled = *changes.quiet_hours_enabled;
  if (changes.quiet_hours_start) quiet.start = *changes.quiet_hours_start;
  if (changes.quiet_hours_end) quiet.end = *changes.quiet_hours_end;
  if (quiet.start == quiet.end) throw domain::invalid("preferences.quietHours.end", "must differ from start");
  store::Update update;
  update.set = {{"name", user.name},
                {"preferences", preferences_json(user.preferences)},
                {"updatedAt", format_rfc3339(ctx_.now())}};
  // Writers of delivery times check it (delivery_preferences_unchanged), so none keeps a time the old
  // preferences gave once the reminders are re-timed.
  if (changes.changes_delivery()) update.add.emplace_back(kPreferencesVersion, 1);
  try {
    auto stored = ctx_.store->update(keys::user_profile(user_id), update, store::Condition::item_exists());
    user.preferences_version = json_int(stored, kPreferencesVersion).value_or(0);
  } catch (const store::ConditionFailed&) {
    throw domain::not_found("user not found");
  }
  return user;
}

void AuthService::delete_account(const std::string& user_id) {
  // First, so that no request with the user's tokens writes anything while the data goes.
  sign_out_everywhere(user_id);
  auto profile_key = keys::user_profile(user_id);
  auto profile = ctx_.store->get(profile_key);
  if (profile) {
    for (const auto& family_id : string_list(*profile, "sessions")) {
      auto family_key = keys::refresh_family(family_id);
      if (auto family = ctx_.store->get(family_key)) {
        auto current = json_string(*family, "currentToken");
        if (!current.empty()) ctx_.store->remove(keys::refresh_token(current));
      }
      ctx_.store->remove(family_key);
    }
  }
  ctx_.hooks.run_account_deleted(user_id);
  if (profile) {
    auto email = json_string(*profile, "email");
    ctx_.store->transact_write(
        {store::Delete{profile_key, {}},
         store::Delete{
             keys::email_claim(email),
             store::Condition::any_of({store::Condition::item_absent(),
                                       store::Condition::equals("userId", json::string(user_id))})}});
    ctx_.store->remove(keys::otp_challenge(email));
  }
  log::info("account deleted", {{"userId", user_id}});
}

}  // namespace kefir::services
