// GET, PATCH and DELETE /me: the signed-in user's profile and preferences, and account deletion (SPEC §2);
// DELETE /me/sessions: sign out everywhere.
#include <memory>

#include "api/routes.hpp"
#include "services/auth_service.hpp"
#include "services/reminder_service.hpp"

namespace kefir::api {
namespace {

http::Response user_response(const services::UserProfile& user) {
  return http::Response::json(200, {{"user", services::user_json(user)}});
}

// "HH:MM" fields of preferences.quietHours.
std::optional<minutes> read_clock_time(domain::BodyReader& reader, std::string_view name) {
  auto text = reader.string(name, 1, 5);
  if (!text.has_value()) return std::nullopt;
  auto time = reminders::parse_clock_time(*text);
  if (!time) reader.problem(std::string(name), "must be a time of day HH:MM, 00:00-23:59");
  return time;
}

void read_quiet_hours(domain::BodyReader& preferences, services::ProfileChanges& changes) {
  auto quiet = preferences.object("quietHours");
  if (!quiet.has_value()) return;
  domain::BodyReader reader(*quiet);
  changes.quiet_hours_enabled = reader.boolean("enabled").value;
  changes.quiet_hours_start = read_clock_time(reader, "start");
  changes.quiet_hours_end = read_clock_time(reader, "end");
  preferences.absorb("quietHours", reader);
}

services::ProfileChanges read_changes(const http::Request& request, const tz::ZoneDatabase& zones) {
  auto body = http::parse_json_object(request);
  domain::BodyReader reader(body);
  services::ProfileChanges changes;
  auto name = reader.string("name", 0, 100, {.nullable = true});
  if (name.present && (name.has_value() || name.is_null())) changes.name = name.value_or("");
  auto preferences = reader.object("preferences");
  if (preferences.has_value()) {
    domain::BodyReader nested(*preferences);
    auto notifications = nested.boolean("notificationsEnabled");
    auto temperature = nested.number("defaultTemperatureC", 10, 40);
    auto timezone = nested.string("timezone", 1, 64);
    if (timezone.has_value() && !zones.find(*timezone))
      nested.problem("timezone", "must be an IANA time zone name, such as Europe/Paris");
    read_quiet_hours(nested, changes);
    try {
      nested.finish();
    } catch (const domain::Error& error) {
      for (const auto& detail : error.details())
        reader.problem("preferences." + detail.field, detail.problem);
    }
    if (notifications.has_value()) changes.notifications_enabled = *notifications;
    if (temperature.has_value()) changes.default_temperature_c = *temperature;
    if (timezone.has_value()) changes.timezone = *timezone;
  }
  reader.finish();
  return changes;
}

}  // namespace

void register_me_routes(http::Router& router, AppContext& ctx) {
  auto service = std::make_shared<services::AuthService>(ctx);
  router.add("GET", "/me",
             [service](http::Request& request) { return user_response(service->profile(request.user_id)); });
  router.add("PATCH", "/me", [service, &ctx](http::Request& request) {
    const auto changes = read_changes(request, *ctx.zones);
    auto user = service->update_profile(request.user_id, changes);
    if (changes.changes_delivery()) services::retime_pending_reminders(ctx, request.user_id);
    return user_response(user);
  });
  router.add("DELETE", "/me", [service](http::Request& request) {
    service->delete_account(request.user_id);
    return http::Response::no_content();
  });
  router.add("DELETE", "/me/sessions", [service](http::Request& request) {
    service->sign_out_everywhere(request.user_id);
    return http::Response::no_content();
  });
}

}  // namespace kefir::api
