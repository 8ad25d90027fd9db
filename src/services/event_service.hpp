#pragma once
// Timeline use cases (SPEC §4): add, list by time behind a cursor, delete. Other domains add their automatic
// events (photo_added...) to their own transactions with event_write().
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/event.hpp"
#include "services/context.hpp"
#include "services/paged_query.hpp"

namespace kefir::services {

// `client_id`: the id an offline client gave the event (POST /sync), a UUID.
domain::Event add_event(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                        domain::EventFields fields,
                        const std::optional<std::string>& client_id = std::nullopt);
// The stored event of the batch with this id (walks the batch's timeline: its keys start with the time).
std::optional<store::Item> find_event_item(ServiceContext& ctx, std::string_view batch_id,
                                           std::string_view event_id);
StoredPage list_events(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                       bool ascending, const PageRequest& page);
void delete_event(ServiceContext& ctx, const std::string& user_id, std::string_view batch_id,
                  std::string_view event_id);

// An automatic event (note, stage_change, photo_added...) stamped `now`, ready for event_write().
domain::Event timeline_event(const std::string& user_id, const std::string& batch_id, std::string_view type,
                             std::string description, json::object metadata, TimePoint now);
store::WriteOp event_write(const domain::Event& event);

// Every event of a batch, with the readings kept beside them (permanent delete, account deletion).
std::size_t delete_batch_events(ServiceContext& ctx, std::string_view batch_id);

}  // namespace kefir::services
