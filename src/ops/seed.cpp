#include "ops/seed.hpp"

#include <stdexcept>

#include "domain/batch.hpp"
#include "domain/event.hpp"
#include "domain/reminder.hpp"
#include "services/auth_service.hpp"
#include "services/batch_service.hpp"
#include "services/event_service.hpp"
#include "services/reminder_service.hpp"
#include "util/time.hpp"

namespace kefir::ops {
namespace {

using std::chrono::hours;

// One seed batch: the creation body, the later updates (each writes its own timeline event), the observations
// and the reminders, all relative to the time of seeding so the data always looks current.
struct SeedBatch {
  json::object create;
  std::vector<json::object> updates;
  std::vector<std::pair<hours, json::object>> events;     // (age, body without timestamp)
  std::vector<std::pair<hours, json::object>> reminders;  // (time from now, {"message","type"})
};

std::vector<SeedBatch> seed_batches(TimePoint now) {
  return {
      {.create = {{"name", "Lemon & ginger water kefir"},
                  {"stage", "stage1_open"},
                  {"kind", "water"},
                  {"startDate", format_rfc3339(now - hours(20))},
                  {"temperature", 22},
                  {"waterVolumeMl", 1000},
                  {"sugarType", "cane sugar"},
                  {"sugarAmount", 60},
                  {"fruits", json::array{"lemon", "ginger", "dried fig"}},
                  {"notes", "Second batch from the new grains."}},
       .updates = {},
       .events = {{hours(12),
                   {{"type", "observation"}, {"description", "Fine bubbles rising, grains floating."}}},
                  {hours(2),
                   {{"type", "measurement"},
                    {"description", "Evening check"},
                    {"metadata", {{"temperatureC", 22.5}, {"ph", 4.1}}}}}},
       .reminders = {{hours(4), {{"type", "midpoint_check"}, {"message", "Taste your lemon & ginger kefir"}}},
                     {hours(28),
                      {{"type", "ready_to_bottle"},
                       {"message", "Lemon & ginger kefir is ready to bottle"}}}}},
      {.create = {{"name", "Strawberry second ferment"},
                  {"stage", "stage1_open"},
                  {"kind", "water"},
                  {"startDate", format_rfc3339(now - hours(5 * 24))},
                  {"temperature", 24},
                  {"waterVolumeMl", 2000},
                  {"sugarType", "brown sugar"},
                  {"sugarAmount", 100},
                  {"fruits", json::array{"strawberry"}},
                  {"isPublic", true},
                  {"publicNote", "Bottled with fresh strawberries from the garden."}},
       .updates = {{{"stage", "stage2_bottled"},
                    {"stage2StartDate", format_rfc3339(now - hours(3 * 24))},
                    {"stage2TargetDuration", 36},
                    {"bottleCount", 4},
                    {"bottleVolumeMl", 500}},
                   {{"status", "in_fridge"}}},
       .events = {{hours(70),
                   {{"type", "observation"}, {"description", "Good fizz when burping the bottles."}}},
                  {hours(30), {{"type", "note"}, {"description", "Moved the bottles to the fridge."}}}},
       .reminders = {{hours(72),
                      {{"type", "drink_by"}, {"message", "Enjoy the strawberry kefir this week"}}}}},
  };
}

bool has_batch_named(AppContext& ctx, const std::string& user_id, const std::string& name) {
  for (const char* status : {"active", "in_fridge", "ready", "archived"}) {
    services::PageRequest page{.limit = 100};
    for (;;) {
      auto listed = services::list_batches(ctx, user_id, {.status = status, .stage = {}}, page);
      for (const auto& stored : listed.documents)
        if (auto batch = domain::batch_from_stored(stored); batch && batch->name == name) return true;
      if (!listed.next_cursor) break;
      page.cursor = listed.next_cursor;
    }
  }
  return false;
}

void create_seed_batch(AppContext& ctx, const std::string& user_id, const SeedBatch& seed) {
  auto now = ctx.now();
  auto batch =
      services::create_batch(ctx, user_id, domain::read_batch_fields(seed.create, domain::BatchBody::create));
  for (const auto& update : seed.updates)
    services::update_batch(ctx, user_id, batch.batch_id,
                           domain::read_batch_fields(update, domain::BatchBody::update), std::nullopt);
  for (const auto& [age, body] : seed.events) {
    auto event = body;
    event["timestamp"] = format_rfc3339(now - age);
    services::add_event(ctx, user_id, batch.batch_id, domain::read_event_fields(event));
  }
  json::array wanted;
  for (const auto& [ahead, body] : seed.reminders) {
    auto reminder = body;
    reminder["scheduledTime"] = format_rfc3339(now + ahead);
    wanted.push_back(std::move(reminder));
  }
  if (!wanted.empty())
    services::confirm_reminders(ctx, user_id, batch.batch_id,
                                reminders::parse_confirm({{"reminders", std::move(wanted)}}, now));
}

}  // namespace

SeedResult seed(AppContext& ctx) {
  services::AuthService auth(ctx);
  auto user = auth.find_or_create_user(std::string(kSeedEmail), std::string(kSeedUserId));
  if (user.user_id != kSeedUserId)
    throw std::runtime_error(std::string(kSeedEmail) + " already belongs to user " + user.user_id +
                             " (not the seed user " + std::string(kSeedUserId) +
                             "); `kefir reset` starts afresh");
  SeedResult result{user.user_id};
  for (const auto& batch : seed_batches(ctx.now())) {
    if (has_batch_named(ctx, user.user_id, json_string(batch.create, "name"))) {
      ++result.batches_present;
      continue;
    }
    create_seed_batch(ctx, user.user_id, batch);
    ++result.batches_created;
  }
  return result;
}

}  // namespace kefir::ops
