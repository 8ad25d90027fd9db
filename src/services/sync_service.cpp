#include "services/sync_service.hpp"

#include <charconv>
#include <limits>
#include <map>
#include <set>

#include "domain/batch.hpp"
#include "domain/change_log.hpp"
#include "domain/device.hpp"
#include "domain/errors.hpp"
#include "domain/event.hpp"
#include "domain/keys.hpp"
#include "domain/reading.hpp"
#include "domain/reminder.hpp"
#include "services/batch_service.hpp"
#include "services/change_log.hpp"
#include "services/device_service.hpp"
#include "services/event_service.hpp"
#include "services/reminder_service.hpp"
#include "util/ids.hpp"

namespace kefir::services {
namespace {

using changes::Kind;

changes::TokenCodec token_codec(ServiceContext& ctx) {
  return changes::TokenCodec(ctx.derive_key("sync-token"));
}

changes::Position decode_token(ServiceContext& ctx, const std::string& user_id, std::string_view token,
                               std::string_view field) {
  auto decoded = token_codec(ctx).decode(token, user_id, ctx.now());
  if (decoded.position) return std::move(*decoded.position);
  if (decoded.problem == changes::TokenProblem::too_old)
    throw domain::sync_too_old(
        "the sync token is older than " + std::to_string(changes::kTokenLifetime.count()) +
        " days: read everything again (GET /sync without since) and sync from its token");
  throw domain::invalid(std::string(field), "is not a sync token of this account");
}

// A record in the feed: the API's JSON of it with a uniform "id" (the sync protocols key records by it).
json::object with_id(json::object shown, std::string_view id_field) {
  json::value id = shown[id_field];
  shown["id"] = std::move(id);
  return shown;
}

// A reading as GET /batches/{id}/readings shows it, with its batch and its id in the feed (its sort key after
// "READING#": one per sensor and minute).
json::object reading_json(const store::Item& item) {
  auto shown = readings::to_json(readings::reading_from_item(item));
  shown["id"] = json_string(item, "SK").substr(keys::kReadingPrefix.size());
  shown["batchId"] = json_string(item, "PK").substr(keys::kBatchPrefix.size());
  return shown;
}

json::object record_json(Kind kind, const store::Item& item) {
  switch (kind) {
    case Kind::batch:
      return with_id(domain::to_json(domain::batch_from_item(item)), "batchId");
    case Kind::event:
      return with_id(domain::to_json(domain::event_from_item(item)), "eventId");
    case Kind::reminder:
      return with_id(reminders::to_json(reminders::from_item(item)), "reminderId");
    case Kind::device:
      return with_id(domain::to_json(domain::device_from_item(item)), "deviceId");
    case Kind::reading:
      return reading_json(item);
    case Kind::photo:
      break;
  }
  // An attached photo as its PHOTO# item says (services/photo_service.hpp), without the storage keys.
  json::object shown;
  for (std::string_view field :
       {"photoKey", "batchId", "contentType", "filename", "status", "createdAt", "attachedAt"})
    if (const auto* value = item.if_contains(field)) shown[field] = *value;
  return with_id(std::move(shown), "photoKey");
}

struct Tables {
  json::object changes;

  Tables() {
    for (auto kind : changes::kKinds)
      changes[changes::table_name(kind)] =
          json::object{{"created", json::array()}, {"updated", json::array()}, {"deleted", json::array()}};
  }
  json::array& list(Kind kind, std::string_view which) {
    return changes.at(changes::table_name(kind)).as_object().at(which).as_array();
  }
};

std::vector<store::Item> query_all(store::ItemStore& store, store::Query query) {
  std::vector<store::Item> items;
  while (true) {
    auto page = store.query(query);
    for (auto& item : page.items) items.push_back(std::move(item));
    if (!page.last_key) return items;
    query.start_after = std::move(page.last_key);
  }
}

store::Query user_records(const std::string& user_id, std::string_view prefix) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::begins_with, std::string(prefix), {}};
  return query;
}

// What one record did within a page of entries: how it started (created or not) and how it ended.
struct PageRecord {
  changes::Record record;
  bool created = false;
};

}  // namespace

std::uint64_t current_change_seq(store::ItemStore& store, const std::string& user_id) {
  return changes::counter_seq(store.get(keys::change_counter(user_id)));
}

std::string change_token(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq) {
  return token_codec(ctx).encode({user_id, seq, ctx.now()});
}

namespace {

// The changes after `position`, at most `limit` log entries (0: all of them); nullopt when the entries right
// after it have expired.
std::optional<ChangePage> changes_after(ServiceContext& ctx, const changes::Position& position,
                                        std::size_t limit) {
  const auto& user_id = position.user_id;
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::between, keys::change_sk(position.seq + 1),
                keys::change_sk(std::numeric_limits<std::uint64_t>::max())};
  if (limit > 0) query.limit = limit + 1;  // one more tells whether more follow, and how old the next one is
  auto entries = limit > 0 ? ctx.store->query(query).items : query_all(*ctx.store, query);

  if (!entries.empty() && changes::entry_seq(entries.front()) != position.seq + 1) return std::nullopt;
  // Sequences are consecutive; a gap is a commit an eventually consistent read does not show yet, so the page
  // ends before it and the next pull resumes there.
  std::size_t used = 0;
  while (used < entries.size() && (limit == 0 || used < limit) &&
         changes::entry_seq(entries[used]) == position.seq + 1 + used)
    ++used;

  std::vector<PageRecord> records;
  std::map<std::pair<Kind, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < used; ++i) {
    for (auto& record : changes::entry_records(entries[i])) {
      auto [found, inserted] = index.try_emplace({record.kind, record.id}, records.size());
      if (inserted) {
        const bool created = record.op == changes::Op::create;
        records.push_back({std::move(record), created});
      } else {
        records[found->second].record = std::move(record);
      }
    }
  }

  Tables tables;
  for (const auto& [record, created] : records) {
    std::optional<store::Item> item;
    if (record.op != changes::Op::remove) item = ctx.store->get(record.key);
    // Gone since: its deletion is in a later entry, and a tombstone now is as right.
    if (!item) {
      tables.list(record.kind, "deleted").push_back(json::string(record.id));
      continue;
    }
    tables.list(record.kind, created ? "created" : "updated").push_back(record_json(record.kind, *item));
  }

  ChangePage page;
  page.changes = std::move(tables.changes);
  page.more = used < entries.size();
  page.last_seq = used == 0 ? position.seq : changes::entry_seq(entries[used - 1]);
  // The next token is as old as the oldest change it still needs, so it is refused before that change
  // expires.
  auto issued = page.more ? std::min(ctx.now(), changes::entry_time(entries[used])) : ctx.now();
  page.next = token_codec(ctx).encode({user_id, page.last_seq, issued});
  return page;
}

// The user's latest sequence, checked against a client's plain sequence number (`field`).
std::uint64_t checked_seq(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq,
                          std::string_view field) {
  const auto current = current_change_seq(*ctx.store, user_id);
  if (seq > current)
    throw domain::invalid(std::string(field), "is ahead of this account's changes (the latest is " +
                                                  std::to_string(current) + ")");
  return current;
}

[[noreturn]] void seq_too_old(std::string_view field) {
  throw domain::sync_too_old("the changes after " + std::string(field) +
                             " have expired: pull everything again (" + std::string(field) +
                             "=0) and sync from its timestamp");
}

}  // namespace

ChangePage read_changes(ServiceContext& ctx, const std::string& user_id, std::string_view since,
                        std::size_t limit) {
  auto page = changes_after(ctx, decode_token(ctx, user_id, since, "since"), limit);
  if (!page)
    throw domain::sync_too_old(
        "the changes after this sync token have expired: read everything again (GET "
        "/sync without since) and sync from its token");
  return std::move(*page);
}

ChangePage read_all_changes_after(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq,
                                  std::string_view field) {
  const auto current = checked_seq(ctx, user_id, seq, field);
  auto page = changes_after(ctx, {user_id, seq, ctx.now()}, 0);
  // Short of the sequence read before: its entries expired (an empty read after `seq`).
  if (!page || page->last_seq < current) seq_too_old(field);
  return std::move(*page);
}

// Readings are left out (a sensor posting every minute makes half a million a year): the feed carries each
// new one, and GET /batches/{id}/readings a batch's history.
ChangePage read_full_state(ServiceContext& ctx, const std::string& user_id) {
  ChangePage page;
  page.last_seq = current_change_seq(*ctx.store, user_id);
  page.next = change_token(ctx, user_id, page.last_seq);
  Tables tables;
  for (const auto& batch : query_all(*ctx.store, user_records(user_id, keys::kBatchPrefix))) {
    tables.list(Kind::batch, "created").push_back(record_json(Kind::batch, batch));
    store::Query timeline;
    timeline.partition = keys::events_pk(json_string(batch, "batchId"));
    timeline.sort = {store::SortOp::begins_with, std::string(keys::kEventPrefix), {}};
    for (const auto& event : query_all(*ctx.store, timeline))
      tables.list(Kind::event, "created").push_back(record_json(Kind::event, event));
  }
  const std::pair<Kind, std::string_view> user_kinds[] = {{Kind::reminder, keys::kReminderPrefix},
                                                          {Kind::device, keys::kDevicePrefix},
                                                          {Kind::photo, keys::kPhotoPrefix}};
  for (const auto& [kind, prefix] : user_kinds) {
    for (const auto& item : query_all(*ctx.store, user_records(user_id, prefix))) {
      // A photo is part of the user's data once attached; a pending upload is not yet.
      if (kind == Kind::photo && json_string(item, "status") != "attached") continue;
      tables.list(kind, "created").push_back(record_json(kind, item));
    }
  }
  page.changes = std::move(tables.changes);
  return page;
}

namespace {

// A problem in a pushed record, named by where it is: "changes.batches.updated[2].name".
template <typename Read>
auto read_record(const std::string& where, Read&& read) {
  try {
    return read();
  } catch (const domain::Error& error) {
    if (error.code() != "VALIDATION_ERROR") throw;
    auto details = error.details();
    for (auto& detail : details) detail.field = where + "." + detail.field;
    throw domain::invalid(std::move(details));
  }
}

// A pushed record: its id and the fields it sets (the REST API's writable fields, by the same names).
struct Pushed {
  std::string id;
  json::object fields;
};

Pushed split_id(const json::value& value, const std::string& where, std::string_view id_field = "id") {
  if (!value.is_object()) throw domain::invalid(where, "must be an object");
  Pushed pushed{{}, value.get_object()};
  // The feed names every record "id" besides its own id field; either identifies it.
  auto* id = pushed.fields.if_contains(id_field);
  if (!id) id = pushed.fields.if_contains("id");
  if (!id || !id->is_string() || id->get_string().empty())
    throw domain::invalid(where + "." + std::string(id_field), "is required");
  pushed.id = std::string(id->get_string());
  pushed.fields.erase(id_field);
  pushed.fields.erase("id");
  return pushed;
}

std::vector<std::string> pushed_ids(const json::array& list, const std::string& where) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) throw domain::invalid(where + "[" + std::to_string(i) + "]", "must be an id");
    ids.emplace_back(list[i].get_string());
  }
  return ids;
}

struct PushedBatch {
  Pushed pushed;
  domain::BatchFields fields;
};
struct PushedEvent {
  Pushed pushed;
  std::string batch_id;
  domain::EventFields fields;
};
struct PushedReminder {
  Pushed pushed;
  reminders::ReminderPatch patch;
  bool complete = false;
  bool cancel = false;
};
struct PushedDevice {
  Pushed pushed;
  domain::DeviceFields fields;
};

// Every record of a push, read and validated before anything is applied: a bad record fails the whole push.
struct Push {
  std::vector<PushedBatch> batches_created, batches_updated;
  std::vector<std::string> batches_deleted;
  std::vector<PushedEvent> events_created;
  std::vector<std::string> events_deleted;
  std::vector<PushedReminder> reminders_updated;
  std::vector<PushedDevice> devices_upserted;
  std::vector<std::string> devices_deleted;
};

// What a client may push per table, as the REST API allows: photos arrive through uploads only.
const std::map<std::string_view, std::set<std::string_view>> kPushable = {
    {"batches", {"created", "updated", "deleted"}},
    {"events", {"created", "deleted"}},
    {"reminders", {"updated"}},
    {"devices", {"created", "updated", "deleted"}}};

Push read_push(const json::object& changes, TimePoint now, bool allow_http_endpoints) {
  Push push;
  for (const auto& [table_name, table_value] : changes) {
    const std::string table = "changes." + std::string(table_name);
    auto allowed = kPushable.find(table_name);
    if (allowed == kPushable.end()) throw domain::invalid(table, "cannot be pushed");
    if (!table_value.is_object()) throw domain::invalid(table, "must be an object");
    for (const auto& [which_name, list_value] : table_value.get_object()) {
      const std::string which = table + "." + std::string(which_name);
      if (!allowed->second.contains(which_name)) throw domain::invalid(which, "cannot be pushed");
      if (!list_value.is_array()) throw domain::invalid(which, "must be an array");
      const auto& list = list_value.get_array();
      if (which_name == "deleted") {
        auto ids = pushed_ids(list, which);
        auto& into = table_name == "batches"  ? push.batches_deleted
                     : table_name == "events" ? push.events_deleted
                                              : push.devices_deleted;
        into.insert(into.end(), ids.begin(), ids.end());
        continue;
      }
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = which + "[" + std::to_string(i) + "]";
        if (table_name == "batches") {
          auto pushed = split_id(list[i], where);
          if (which_name == "created" && !domain::is_batch_id(pushed.id))
            throw domain::invalid(where + ".id", "must be a lowercase UUIDv7");
          auto mode = which_name == "created" ? domain::BatchBody::create : domain::BatchBody::update;
          auto fields = read_record(where, [&] { return domain::read_batch_fields(pushed.fields, mode); });
          (which_name == "created" ? push.batches_created : push.batches_updated)
              .push_back({std::move(pushed), std::move(fields)});
        } else if (table_name == "events") {
          auto pushed = split_id(list[i], where);
          auto body = pushed.fields;
          auto batch_id = json_string(body, "batchId");
          if (batch_id.empty()) throw domain::invalid(where + ".batchId", "is required");
          body.erase("batchId");
          auto fields = read_record(where, [&] { return domain::read_event_fields(body); });
          push.events_created.push_back({std::move(pushed), std::move(batch_id), std::move(fields)});
        } else if (table_name == "reminders") {
          auto pushed = split_id(list[i], where);
          auto body = pushed.fields;
          PushedReminder reminder;
          if (auto* completed = body.if_contains("completed")) {
            if (*completed != json::value(true))
              throw domain::invalid(where + ".completed", "can only become true");
            reminder.complete = true;
            body.erase("completed");
          }
          if (auto* status = body.if_contains("status")) {
            if (*status != json::value("cancelled"))
              throw domain::invalid(where + ".status", "can only become cancelled");
            reminder.cancel = true;
            body.erase("status");
          }
          reminder.patch = read_record(where, [&] { return reminders::parse_patch(body, now); });
          reminder.pushed = std::move(pushed);
          push.reminders_updated.push_back(std::move(reminder));
        } else {
          auto pushed = split_id(list[i], where, "deviceId");
          auto body = pushed.fields;
          body["deviceId"] = pushed.id;
          auto fields =
              read_record(where, [&] { return domain::read_device_fields(body, allow_http_endpoints); });
          push.devices_upserted.push_back({std::move(pushed), std::move(fields)});
        }
      }
    }
  }
  return push;
}

// The log entries after `seq`, in commit order.
std::vector<store::Item> entries_after(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq) {
  store::Query query;
  query.partition = keys::user_pk(user_id);
  query.sort = {store::SortOp::between, keys::change_sk(seq + 1),
                keys::change_sk(std::numeric_limits<std::uint64_t>::max())};
  return query_all(*ctx.store, query);
}

// The records `entries` name: what changed on the server since the client's pull.
std::set<std::pair<Kind, std::string>> changed_records(const std::vector<store::Item>& entries) {
  std::set<std::pair<Kind, std::string>> changed;
  for (const auto& entry : entries)
    for (auto& record : changes::entry_records(entry)) changed.emplace(record.kind, std::move(record.id));
  return changed;
}

// Whether the server already has every pushed field as pushed (an absent field counts as null).
bool already_as_pushed(const json::object& pushed, const json::object& server) {
  for (const auto& [name, value] : pushed) {
    const auto* current = server.if_contains(name);
    if (!(current ? *current == value : value.is_null())) return false;
  }
  return true;
}

class Applier {
 public:
  Applier(ServiceContext& ctx, const std::string& user_id, std::set<std::pair<Kind, std::string>> changed)
      : ctx_(ctx), user_id_(user_id), changed_(std::move(changed)) {}

  void apply(const Push& push) {
    for (const auto& batch : push.batches_created) create_batch(batch);
    for (const auto& batch : push.batches_updated) update_batch(batch);
    for (const auto& id : push.batches_deleted) delete_batch(id);
    for (const auto& event : push.events_created) create_event(event);
    for (const auto& id : push.events_deleted) delete_event(id);
    for (const auto& reminder : push.reminders_updated) update_reminder(reminder);
    for (const auto& device : push.devices_upserted) upsert_device(device);
    for (const auto& id : push.devices_deleted) delete_device(id);
  }

  std::size_t applied = 0;
  json::array conflicts;

 private:
  std::optional<json::object> server_record(Kind kind, const std::string& id) {
    std::optional<store::Item> item;
    switch (kind) {
      case Kind::batch:
        if (is_uuid(id)) item = ctx_.store->get(keys::batch(user_id_, id));
        break;
      case Kind::reminder:
        if (is_uuid(id)) item = ctx_.store->get(keys::reminder(user_id_, id));
        break;
      case Kind::device:
        item = ctx_.store->get(keys::device(user_id_, id));
        break;
      case Kind::event:
        item = find_user_event(id);
        break;
      case Kind::photo:
      case Kind::reading:
        break;  // not pushable
    }
    if (!item) return std::nullopt;
    return record_json(kind, *item);
  }

  std::optional<store::Item> find_user_event(const std::string& id) {
    for (const auto& batch : query_all(*ctx_.store, user_records(user_id_, keys::kBatchPrefix)))
      if (auto event = find_event_item(ctx_, json_string(batch, "batchId"), id)) return event;
    return std::nullopt;
  }

  void conflict(Kind kind, const std::string& id, std::string reason) {
    auto server = server_record(kind, id);
    conflicts.push_back(json::object{{"table", changes::table_name(kind)},
                                     {"id", id},
                                     {"server", server ? json::value(std::move(*server)) : nullptr},
                                     {"reason", std::move(reason)}});
  }

  // The server changed the record after the client's pull, and not into what the client pushes.
  bool changed_on_server(Kind kind, const Pushed& pushed, const std::optional<json::object>& server) {
    if (!changed_.contains({kind, pushed.id})) return false;
    return !server || !already_as_pushed(pushed.fields, *server);
  }

  // Runs one service call; a refusal of the record (409, 412, 404) becomes its conflict.
  template <typename Apply>
  void attempt(Kind kind, const std::string& id, Apply&& apply) {
    try {
      apply();
      ++applied;
    } catch (const domain::Error& error) {
      if (error.failure() != domain::Failure::NotFound && error.failure() != domain::Failure::Conflict &&
          error.failure() != domain::Failure::PreconditionFailed)
        throw;
      conflict(kind, id, error.what());
    }
  }

  void create_batch(const PushedBatch& batch) {
    if (auto server = server_record(Kind::batch, batch.pushed.id)) {
      if (!already_as_pushed(batch.pushed.fields, *server)) conflict(Kind::batch, batch.pushed.id, "exists");
      return;
    }
    attempt(Kind::batch, batch.pushed.id,
            [&] { services::create_batch(ctx_, user_id_, batch.fields, batch.pushed.id); });
  }

  void update_batch(const PushedBatch& batch) {
    auto server = server_record(Kind::batch, batch.pushed.id);
    if (!server) return conflict(Kind::batch, batch.pushed.id, "deleted on the server");
    if (changed_on_server(Kind::batch, batch.pushed, server))
      return conflict(Kind::batch, batch.pushed.id, "changed on the server");
    if (already_as_pushed(batch.pushed.fields, *server)) return;
    // Pinned to the version just compared: a change landing meanwhile is a conflict too.
    auto version = domain::etag(server->at("version").to_number<std::int64_t>());
    attempt(Kind::batch, batch.pushed.id,
            [&] { services::update_batch(ctx_, user_id_, batch.pushed.id, batch.fields, version); });
  }

  void delete_batch(const std::string& id) {
    auto server = server_record(Kind::batch, id);
    if (!server) return;  // already gone
    if (changed_.contains({Kind::batch, id})) return conflict(Kind::batch, id, "changed on the server");
    auto version = domain::etag(server->at("version").to_number<std::int64_t>());
    attempt(Kind::batch, id, [&] { services::delete_batch_permanently(ctx_, user_id_, id, version); });
  }

  void create_event(const PushedEvent& event) {
    if (is_uuid(event.pushed.id) && find_event_item(ctx_, event.batch_id, event.pushed.id)) return;
    attempt(Kind::event, event.pushed.id,
            [&] { services::add_event(ctx_, user_id_, event.batch_id, event.fields, event.pushed.id); });
  }

  void delete_event(const std::string& id) {
    auto item = is_uuid(id) ? find_user_event(id) : std::nullopt;
    if (!item) return;  // already gone
    attempt(Kind::event, id,
            [&] { services::delete_event(ctx_, user_id_, json_string(*item, "batchId"), id); });
  }

  void update_reminder(const PushedReminder& reminder) {
    const auto& id = reminder.pushed.id;
    auto server = server_record(Kind::reminder, id);
    if (!server) return conflict(Kind::reminder, id, "deleted on the server");
    if (changed_on_server(Kind::reminder, reminder.pushed, server))
      return conflict(Kind::reminder, id, "changed on the server");
    if (already_as_pushed(reminder.pushed.fields, *server)) return;
    attempt(Kind::reminder, id, [&] {
      if (reminder.patch.scheduled_time || reminder.patch.message)
        services::reschedule_reminder(ctx_, user_id_, id, reminder.patch);
      if (reminder.complete) services::complete_reminder(ctx_, user_id_, id);
      if (reminder.cancel) services::cancel_reminder(ctx_, user_id_, id);
    });
  }

  void upsert_device(const PushedDevice& device) {
    auto server = server_record(Kind::device, device.pushed.id);
    if (changed_on_server(Kind::device, device.pushed, server))
      return conflict(Kind::device, device.pushed.id, "changed on the server");
    attempt(Kind::device, device.pushed.id,
            [&] { services::register_device(ctx_, user_id_, device.fields); });
  }

  void delete_device(const std::string& id) {
    if (!server_record(Kind::device, id)) return;  // already gone
    if (changed_.contains({Kind::device, id})) return conflict(Kind::device, id, "changed on the server");
    attempt(Kind::device, id, [&] { services::delete_device(ctx_, user_id_, id); });
  }

  ServiceContext& ctx_;
  const std::string& user_id_;
  std::set<std::pair<Kind, std::string>> changed_;
};

}  // namespace

namespace {

// Applies `changes` (POST /sync's shape) pushed by a client that pulled up to `position`; `since_pull` are
// the log entries after it.
PushResult apply_push(ServiceContext& ctx, const changes::Position& position,
                      const std::vector<store::Item>& since_pull, const json::object& changes) {
  const auto& user_id = position.user_id;
  auto push = read_push(changes, ctx.now(), !ctx.config.prod());

  services::OwnCommits own(user_id);
  Applier applier(ctx, user_id, changed_records(since_pull));
  applier.apply(push);

  // Past the client's own commits only: a change of anyone else's after lastPulledAt is still to be pulled.
  auto seq = position.seq;
  while (own.seqs().contains(seq + 1)) ++seq;
  auto issued = seq == position.seq ? position.issued : ctx.now();
  return {token_codec(ctx).encode({user_id, seq, issued}), applier.applied, std::move(applier.conflicts),
          seq};
}

}  // namespace

PushResult push_changes(ServiceContext& ctx, const std::string& user_id, const json::object& body) {
  domain::BodyReader reader(body);
  auto last_pulled = reader.string("lastPulledAt", 1, 1024, {.required = true});
  auto changes_field = reader.object("changes", {.required = true});
  reader.finish();
  const auto position = decode_token(ctx, user_id, *last_pulled.value, "lastPulledAt");
  return apply_push(ctx, position, entries_after(ctx, user_id, position.seq), *changes_field.value);
}

PushResult push_changes_after_seq(ServiceContext& ctx, const std::string& user_id, std::uint64_t seq,
                                  const json::object& changes, std::string_view field) {
  const auto current = checked_seq(ctx, user_id, seq, field);
  auto since_pull = entries_after(ctx, user_id, seq);
  // Without the entries after `seq`, what changed since the client's pull is unknown.
  if (seq < current && (since_pull.empty() || changes::entry_seq(since_pull.front()) != seq + 1))
    seq_too_old(field);
  return apply_push(ctx, {user_id, seq, ctx.now()}, since_pull, changes);
}

std::uint64_t parse_last_pulled_at(const std::optional<std::string>& text, std::string_view field) {
  if (!text || text->empty() || *text == "null") return 0;
  std::uint64_t seq = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seq);
  if (ec != std::errc() || end != text->data() + text->size())
    throw domain::invalid(std::string(field),
                          "must be a non-negative integer: the timestamp of an earlier pull, or 0");
  return seq;
}

std::size_t parse_sync_limit(const std::optional<std::string>& text) {
  if (!text) return kDefaultSyncLimit;
  std::size_t limit = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > kMaxSyncLimit)
    throw domain::invalid("limit", "must be an integer between 1 and " + std::to_string(kMaxSyncLimit));
  return limit;
}

}  // namespace kefir::services
