#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/context.hpp"
#include "http/router.hpp"
#include "util/json_text.hpp"

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

// A 200 JSON list page for this user and query: the one kept in ctx.list_pages while the store has not
// changed, otherwise the body `render` serializes, then kept.
http::Response cached_list_page(AppContext& ctx, const http::Request& request,
                                const std::function<std::string()>& render);

// The body of a list page, {"<name>":[...],"count":n,"nextCursor":...}, each item's JSON text appended by
// `append_item` straight into it: building a DOM of the page only to serialize it cost as much as reading it.
template <typename Item, typename AppendItem>
std::string list_page_body(std::string_view name, const std::vector<Item>& items,
                           const std::optional<std::string>& next_cursor, AppendItem append_item) {
  std::string out = "{";
  json_text::append_string(out, name);
  out += ":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_item(out, items[i]);
  }
  out += "],\"count\":";
  json_text::append_integer(out, static_cast<std::int64_t>(items.size()));
  out += ",\"nextCursor\":";
  if (next_cursor)
    json_text::append_string(out, *next_cursor);
  else
    out += "null";
  out.push_back('}');
  return out;
}

// An object of a self-served blob store as a streamed response (the blob and public photo routes).
http::Response stored_object_response(blob::SelfServedBlobStore& store, const std::string& key,
                                      std::string cache_control);

}  // namespace kefir::api
