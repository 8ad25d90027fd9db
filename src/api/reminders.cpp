// Reminders, SPEC §5: suggestions from the fermentation model, confirm, per batch, the user's list (with its
// mobile alias), snooze, complete (with alias) and cancel.
#include "api/routes.hpp"
#include "services/reminder_service.hpp"

namespace kefir::api {
namespace {

json::object reminder_body(const reminders::Reminder& reminder) {
  return {{"reminder", reminders::to_json(reminder)}};
}

json::object reminders_body(const std::vector<reminders::Reminder>& list) {
  return {{"reminders", reminders::to_json(list)}};
}

// ?name=true|false; absent is false; anything else is 400.
bool bool_query(const http::Request& request, std::string_view name) {
  auto value = request.query(name);
  if (!value || *value == "false") return false;
  if (*value == "true") return true;
  throw domain::invalid(std::string(name), "must be true or false");
}

http::Response list_user_reminders(AppContext& ctx, const http::Request& request, std::string_view flag) {
  return http::Response::json(
      200, reminders_body(services::user_reminders(ctx, request.user_id, bool_query(request, flag))));
}

}  // namespace

void register_reminder_routes(http::Router& router, AppContext& ctx) {
  router.add("GET", "/batches/{id}/reminders/suggestions", [&ctx](http::Request& request) {
    json::array suggestions;
    for (const auto& [s, deliver_at] :
         services::reminder_suggestions(ctx, request.user_id, request.param("id"))) {
      suggestions.push_back({{"type", s.type},
                             {"suggestedTime", format_rfc3339(s.suggested_time)},
                             {"deliverAt", format_rfc3339(deliver_at)},
                             {"message", s.message},
                             {"description", s.description}});
    }
    return http::Response::json(200, {{"suggestions", std::move(suggestions)}});
  });

  router.add("POST", "/batches/{id}/reminders/confirm",
             [&ctx](http::Request& request) {
               auto wanted = reminders::parse_confirm(http::parse_json_object(request), ctx.now());
               return http::Response::json(201, reminders_body(services::confirm_reminders(
                                                    ctx, request.user_id, request.param("id"), wanted)));
             },
             {.store_only = true});

  router.add("GET", "/batches/{id}/reminders", [&ctx](http::Request& request) {
    return http::Response::json(
        200, reminders_body(services::batch_reminders(ctx, request.user_id, request.param("id"))));
  });

  router.add("GET", "/me/reminders",
             [&ctx](http::Request& request) { return list_user_reminders(ctx, request, "includeAll"); });
  // The mobile client's alias: `completed` means includeAll.
  router.add("GET", "/reminders",
             [&ctx](http::Request& request) { return list_user_reminders(ctx, request, "completed"); });

  router.add("PATCH", "/me/reminders/{id}",
             [&ctx](http::Request& request) {
               auto patch = reminders::parse_patch(http::parse_json_object(request), ctx.now());
               return http::Response::json(200, reminder_body(services::reschedule_reminder(
                                                    ctx, request.user_id, request.param("id"), patch)));
             },
             {.store_only = true});

  const http::Handler complete = [&ctx](http::Request& request) {
    return http::Response::json(
        200, reminder_body(services::complete_reminder(ctx, request.user_id, request.param("id"))));
  };
  router.add("POST", "/me/reminders/{id}/complete", complete, {.store_only = true});
  router.add("POST", "/reminders/{id}/complete", complete, {.store_only = true});

  router.add("DELETE", "/me/reminders/{id}",
             [&ctx](http::Request& request) {
               return http::Response::json(
                   200, reminder_body(services::cancel_reminder(ctx, request.user_id, request.param("id"))));
             },
             {.store_only = true});
}

}  // namespace kefir::api
