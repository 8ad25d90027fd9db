#include "domain/reminder.hpp"

#include <array>

#include "domain/body_reader.hpp"
#include "domain/keys.hpp"

namespace kefir::reminders {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 5> kStatusNames = {{
    {Status::pending, "pending"},
    {Status::sending, "sending"},
    {Status::sent, "sent"},
    {Status::failed, "failed"},
    {Status::cancelled, "cancelled"},
}};

json::value optional_time(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return json::value(format_rfc3339(*t));
}

json::value optional_text(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::value(text);
}

std::optional<TimePoint> time_attribute(const store::Item& item, std::string_view name) {
  auto text = json_string(item, name);
  if (text.empty()) return std::nullopt;
  return parse_rfc3339(text);
}

// A scheduled time must be in the future and at most 60 days ahead.
void check_schedule(domain::BodyReader& reader, const std::string& field, TimePoint t, TimePoint now) {
  if (t <= now) {
    reader.problem(field, "must be in the future");
  } else if (t > now + kMaxAhead) {
    reader.problem(field, "must be at most 60 days ahead");
  }
}

std::optional<NewReminder> read_new_reminder(domain::BodyReader& outer, const std::string& prefix,
                                             const json::value& element, TimePoint now) {
  if (!element.is_object()) {
    outer.problem(prefix, "must be an object");
    return std::nullopt;
  }
  domain::BodyReader reader(element.get_object());
  auto scheduled = reader.timestamp("scheduledTime", {.required = true});
  auto message = reader.string("message", 1, kMaxMessageChars, {.required = true});
  auto type = reader.string("type", 1, kMaxTypeChars);
  if (scheduled.has_value()) check_schedule(reader, "scheduledTime", *scheduled, now);
  try {
    reader.finish();
  } catch (const domain::Error& error) {
    for (const auto& detail : error.details()) outer.problem(prefix + "." + detail.field, detail.problem);
    return std::nullopt;
  }
  return NewReminder{*scheduled, *message, type.value_or(std::string(kDefaultType))};
}

}  // namespace

std::string_view to_string(Status status) {
  for (const auto& [value, name] : kStatusNames)
    if (value == status) return name;
  return "pending";
}

std::optional<Status> parse_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames)
    if (name == text) return value;
  return std::nullopt;
}

json::object due_index(std::string_view reminder_id, TimePoint due) {
  return {{attr::gsi1pk, keys::due_shard(reminder_id)},
          {attr::gsi1sk, keys::due_gsi1sk(format_rfc3339(due), reminder_id)}};
}

store::Item to_item(const Reminder& r) {
  const auto key = keys::reminder(r.user_id, r.reminder_id);
  store::Item item{
      {"PK", key.pk},
      {"SK", key.sk},
      {"reminderId", r.reminder_id},
      {"batchId", r.batch_id},
      {"batchName", r.batch_name},
      {"userId", r.user_id},
      {"type", r.type},
      {attr::message, r.message},
      {attr::scheduled_time, format_rfc3339(r.scheduled_time)},
      {attr::deliver_at, format_rfc3339(r.delivery())},
      {attr::status, to_string(r.status)},
      {attr::completed, r.completed},
      {attr::attempts, r.attempts},
      {"createdAt", format_rfc3339(r.created_at)},
      {attr::updated_at, format_rfc3339(r.updated_at)},
  };
  if (r.awaiting_delivery() && !r.completed) {
    for (auto& [name, value] : due_index(r.reminder_id, r.delivery())) item[name] = value;
  }
  if (r.completed_at) item[attr::completed_at] = format_rfc3339(*r.completed_at);
  if (r.sent_at) item[attr::sent_at] = format_rfc3339(*r.sent_at);
  if (!r.failure_reason.empty()) item[attr::failure_reason] = r.failure_reason;
  if (!r.receipt_error.empty()) item[attr::receipt_error] = r.receipt_error;
  if (!r.tickets.empty()) item[attr::tickets] = to_json(r.tickets);
  if (!r.resend_to.empty()) {
    json::array devices;
    for (const auto& d : r.resend_to) devices.push_back(json::value(d));
    item[attr::resend_to] = std::move(devices);
  }
  if (r.resent) item[attr::resent] = true;
  if (r.model_fraction) item[attr::model_fraction] = *r.model_fraction;
  if (r.pinned) item[attr::pinned] = true;
  return item;
}

bool follows_fermentation(const Reminder& reminder) {
  return may_follow_fermentation(reminder) && reminder.status == Status::pending && !reminder.pinned;
}

bool may_follow_fermentation(const Reminder& reminder) {
  return reminder.model_fraction && reminder.awaiting_delivery() && !reminder.completed && !reminder.sent_at;
}

store::UpdateItem mark_retime_hint(std::string_view batch_id) {
  store::Update update;
  update.add.emplace_back(kRetimeHintGeneration, 1);
  update.remove.emplace_back(kRetimeHintNone);
  return {keys::retime_hint(batch_id), std::move(update), std::nullopt};
}

bool nothing_to_retime(const std::optional<store::Item>& hint) {
  return hint && json_bool(*hint, kRetimeHintNone);
}

store::UpdateItem set_nothing_to_retime(std::string_view batch_id,
                                        const std::optional<store::Item>& hint_read) {
  store::Update update;
  update.set[kRetimeHintNone] = true;
  const std::string generation(kRetimeHintGeneration);
  const auto* read = hint_read ? hint_read->if_contains(generation) : nullptr;
  return {keys::retime_hint(batch_id), std::move(update),
          read ? store::Condition::equals(generation, *read) : store::Condition::not_exists(generation)};
}

Reminder from_item(const store::Item& item) {
  Reminder r;
  r.reminder_id = json_string(item, "reminderId");
  r.batch_id = json_string(item, "batchId");
  r.batch_name = json_string(item, "batchName");
  r.user_id = json_string(item, "userId");
  r.type = json_string(item, "type");
  r.message = json_string(item, attr::message);
  r.scheduled_time = time_attribute(item, attr::scheduled_time).value_or(TimePoint{});
  // Absent on reminders stored before quiet hours existed: delivered at their scheduled time.
  r.deliver_at = time_attribute(item, attr::deliver_at);
  r.status = parse_status(json_string(item, attr::status)).value_or(Status::pending);
  r.completed = json_bool(item, attr::completed);
  r.completed_at = time_attribute(item, attr::completed_at);
  r.sent_at = time_attribute(item, attr::sent_at);
  r.attempts = json_int(item, attr::attempts).value_or(0);
  r.failure_reason = json_string(item, attr::failure_reason);
  r.receipt_error = json_string(item, attr::receipt_error);
  r.created_at = time_attribute(item, "createdAt").value_or(TimePoint{});
  r.updated_at = time_attribute(item, attr::updated_at).value_or(r.created_at);
  if (const auto* tickets = item.if_contains(attr::tickets); tickets && tickets->is_array()) {
    for (const auto& t : tickets->get_array()) {
      if (!t.is_object()) continue;
      const auto& ticket = t.get_object();
      r.tickets.push_back(
          {json_string(ticket, "id"), json_string(ticket, "deviceId"), json_string(ticket, "token")});
    }
  }
  if (const auto* devices = item.if_contains(attr::resend_to); devices && devices->is_array()) {
    for (const auto& d : devices->get_array())
      if (d.is_string()) r.resend_to.emplace_back(d.get_string());
  }
  r.resent = json_bool(item, attr::resent);
  r.model_fraction = json_number(item, attr::model_fraction);
  r.pinned = json_bool(item, attr::pinned);
  return r;
}

json::object to_json(const Reminder& r) {
  return {
      {"reminderId", r.reminder_id},
      {"batchId", r.batch_id},
      {"batchName", r.batch_name},
      {"userId", r.user_id},
      {"type", r.type},
      {"message", r.message},
      {"scheduledTime", format_rfc3339(r.scheduled_time)},
      {"deliverAt", format_rfc3339(r.delivery())},
      {"status", to_string(r.status)},
      {"completed", r.completed},
      {"completedAt", optional_time(r.completed_at)},
      {"sentAt", optional_time(r.sent_at)},
      {"attempts", r.attempts},
      {"failureReason", optional_text(r.failure_reason)},
      {"receiptError", optional_text(r.receipt_error)},
      {"followsFermentation", r.model_fraction.has_value()},
      {"pinned", r.pinned},
      {"createdAt", format_rfc3339(r.created_at)},
      {"updatedAt", format_rfc3339(r.updated_at)},
  };
}

json::array to_json(const std::vector<Ticket>& tickets) {
  json::array out;
  for (const auto& t : tickets) out.push_back({{"id", t.id}, {"deviceId", t.device_id}, {"token", t.token}});
  return out;
}

json::array to_json(const std::vector<Reminder>& reminders) {
  json::array out;
  out.reserve(reminders.size());
  for (const auto& r : reminders) out.push_back(to_json(r));
  return out;
}

std::vector<NewReminder> parse_confirm(const json::object& body, TimePoint now) {
  domain::BodyReader reader(body);
  auto list = reader.array("reminders", {.required = true});
  std::vector<NewReminder> out;
  if (list.has_value()) {
    if (list->empty() || list->size() > kMaxPerConfirm) {
      reader.problem("reminders", "must hold 1-" + std::to_string(kMaxPerConfirm) + " reminders");
    } else {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (auto parsed = read_new_reminder(reader, "reminders[" + std::to_string(i) + "]", (*list)[i], now))
          out.push_back(std::move(*parsed));
      }
    }
  }
  reader.finish();
  return out;
}

ReminderPatch parse_patch(const json::object& body, TimePoint now) {
  domain::BodyReader reader(body);
  auto scheduled = reader.timestamp("scheduledTime");
  auto message = reader.string("message", 1, kMaxMessageChars);
  auto pinned = reader.boolean("pinned");
  if (scheduled.has_value()) check_schedule(reader, "scheduledTime", *scheduled, now);
  reader.finish();
  return {scheduled.value, message.value, pinned.value};
}

}  // namespace kefir::reminders
