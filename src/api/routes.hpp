#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "http/router.hpp"
#include "services/paged_query.hpp"
#include "util/json_text.hpp"

namespace kefir::domain {
struct Batch;
struct Event;
}  // namespace kefir::domain

namespace kefir::api {

// Every resource registers its routes here; one function per file in src/api/.
void register_routes(http::Router& router, AppContext& ctx);

void register_health_routes(http::Router& router, AppContext& ctx);
void register_auth_routes(http::Router& router, AppContext& ctx);
void register_me_routes(http::Router& router, AppContext& ctx);
void register_batch_routes(http::Router& router, AppContext& ctx);
void register_event_routes(http::Router& router, AppContext& ctx);
void register_device_routes(http::Router& router, AppContext& ctx);
void register_reminder_routes(http::Router& router, AppContext& ctx);
void register_sync_routes(http::Router& router, AppContext& ctx);
void register_sensor_routes(http::Router& router, AppContext& ctx);
void register_blob_routes(http::Router& router, AppContext& ctx);
void register_photo_routes(http::Router& router, AppContext& ctx);
void register_export_routes(http::Router& router, AppContext& ctx);
void register_public_routes(http::Router& router, AppContext& ctx);
void register_metrics_routes(http::Router& router, AppContext& ctx);
void register_openapi_routes(http::Router& router, AppContext& ctx);
void register_webapp_routes(http::Router& router, AppContext& ctx);
void register_stream_routes(http::Router& router, AppContext& ctx);

// A 200 JSON list page for this user and query, read from the store's range `listed` (its partition and, for
// a begins_with sort condition, the kind of item it names; ItemStore::partition_version): the one kept in
// ctx.list_pages while nothing in that range has been written, otherwise the body `render` serializes, then
// kept.
http::Response cached_list_page(AppContext& ctx, const http::Request& request, const store::Query& listed,
                                const std::function<std::string()>& render);

// {"batch":...} with the batch's etag, and {"event":...}: written as text by domain::append_json, the bytes
// json::serialize writes of to_json's DOM, without building the DOM (a ninth of a durable POST /batches).
http::Response batch_response(int status, const domain::Batch& batch);
http::Response event_response(int status, const domain::Event& event);

// The body of a list page, {"<name>":[...],"count":n,"nextCursor":...}, each stored item's JSON appended by
// `append_item` (domain::append_stored_batch_json, ...) straight into it.
std::string list_page_body(std::string_view name, const services::StoredPage& page,
                           void (*append_item)(std::string&, std::string_view));

// An object of a self-served blob store as a streamed response (the blob and public photo routes).
http::Response stored_object_response(blob::SelfServedBlobStore& store, const std::string& key,
                                      std::string cache_control);

}  // namespace kefir::api
