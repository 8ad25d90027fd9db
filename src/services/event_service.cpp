#include "services/event_service.hpp"

#include <algorithm>

#include "domain/errors.hpp"
#include "domain/keys.hpp"
#include "services/batch_service.hpp"
#include "services/bulk_delete.hpp"
#include "services/change_log.hpp"

namespace kefir::services {
namespace {

store::Query timeline_query(std::string_view batch_id) {
  store::Query query;
  query.partition = keys::events_pk(batch_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kEventPrefix), {}};
  return query;
}

}  // namespace

domain::Event timeline_event(const std::string& user_id, const std::string& batch_id, std::string_view type,
                             std::string description, json::object metadata, TimePoint now) {
  domain::EventFields fields{std::string(type), now, std::move(description), std::move(metadata),
                             std::nullopt};
  return domain::new_event(std::move(fields), batch_id, user_id, uuid_v4(), now);
}

store::WriteOp event_write(const domain::Event& event) {
  return store::Put{domain::to_item(event), store::Condition::item_absent()};
}

domain::Event add_event(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                        domain::EventFields fields, const std::optional<std::string>& client_id) {
  if (client_id && !is_uuid(*client_id)) throw domain::invalid("id", "must be a lowercase UUID");
  if (!is_uuid(batch_id)) throw domain::not_found("batch not found");
  if (fields.photo_key) {
    const auto photos = get_batch(ctx, user_id, batch_id).photo_keys;
    if (std::find(photos.begin(), photos.end(), *fields.photo_key) == photos.end())
      throw domain::invalid("photoKey", "must be a photo of this batch");
  }
  auto event = domain::new_event(std::move(fields), std::string(batch_id), user_id,
                                 client_id.value_or(uuid_v4()), ctx.now());
  // The batch must still exist when the event lands, or a concurrent permanent delete would leave it
  // orphaned. That check, first in the transaction, is also the only read of the batch unless a photo is
  // named: reading it before as well cost a durable event write 8 % of its instructions.
  try {
    commit_changes(
        ctx, user_id,
        {store::Check{keys::batch(user_id, batch_id), store::Condition::item_exists()}, event_write(event)});
  } catch (const store::ConditionFailed& failed) {
    if (failed.index() == 0) throw domain::not_found("batch not found");
    throw domain::conflict("event id " + event.event_id + " is taken");
  }
  return event;
}

StoredPage list_events(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                       bool ascending, const PageRequest& page) {
  require_batch(ctx, user_id, batch_id);
  auto query = timeline_query(batch_id);
  query.forward = ascending;
  cursor::Codec codec(ctx.derive_key("cursor"));
  return read_stored_page(*ctx.store, codec, std::move(query),
                          cursor::fingerprint({"events", user_id, batch_id, ascending ? "asc" : "desc"}),
                          page);
}

void delete_event(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                  std::string_view event_id) {
  require_batch(ctx, user_id, batch_id);
  auto item = find_event_item(ctx, batch_id, event_id);
  if (!item) throw domain::not_found("event not found");
  try {
    commit_changes(ctx, user_id, {store::Delete{store::key_of(*item), store::Condition::item_exists()}});
  } catch (const store::ConditionFailed&) {
    throw domain::not_found("event not found");
  }
}

std::optional<store::Item> find_event_item(ServiceContext& ctx, std::string_view batch_id,
                                           std::string_view event_id) {
  if (!is_uuid(event_id)) return std::nullopt;
  auto query = timeline_query(batch_id);
  query.limit = 100;
  while (true) {
    auto page = ctx.store->query(query);
    for (auto& item : page.items)
      if (json_string(item, "eventId") == event_id) return std::move(item);
    if (!page.last_key) return std::nullopt;
    query.start_after = std::move(page.last_key);
  }
}

std::size_t delete_batch_events(ServiceContext& ctx, std::string_view batch_id) {
  // The whole partition: the timeline and what else lives beside it (sensor readings and their roll-ups).
  store::Query query;
  query.partition = keys::events_pk(batch_id);
  return delete_matching(*ctx.store, query);
}

}  // namespace kefir::services
