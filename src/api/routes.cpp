#include "api/routes.hpp"

#include "domain/batch.hpp"
#include "domain/event.hpp"
#include "ops/metrics.hpp"

namespace kefir::api {
namespace {

template <typename T>
std::string wrapped_json(std::string_view name, const T& value) {
  std::string body = "{";
  json_text::append_string(body, name);
  body.push_back(':');
  domain::append_json(body, value);
  body.push_back('}');
  return body;
}

}  // namespace

void register_routes(http::Router& router, AppContext& ctx) {
  register_health_routes(router, ctx);
  register_auth_routes(router, ctx);
  register_me_routes(router, ctx);
  register_batch_routes(router, ctx);
  register_event_routes(router, ctx);
  register_device_routes(router, ctx);
  register_reminder_routes(router, ctx);
  register_sensor_routes(router, ctx);
  register_blob_routes(router, ctx);
  register_photo_routes(router, ctx);
  register_export_routes(router, ctx);
  register_public_routes(router, ctx);
  register_metrics_routes(router, ctx);
  register_openapi_routes(router, ctx);
  register_webapp_routes(router, ctx);
  register_stream_routes(router, ctx);
  register_sync_routes(router, ctx);
}

http::Response batch_response(int status, const domain::Batch& batch) {
  auto response = http::Response::text(status, "application/json", wrapped_json("batch", batch));
  response.set_header("etag", domain::etag(batch.version));
  return response;
}

http::Response event_response(int status, const domain::Event& event) {
  return http::Response::text(status, "application/json", wrapped_json("event", event));
}

std::string list_page_body(std::string_view name, const services::StoredPage& page,
                           void (*append_item)(std::string&, std::string_view)) {
  std::string out;
  // An item's API JSON weighs about what its stored text does: less the keys and the stamp, plus the nulls,
  // which for a batch without any optional field comes to ~2 % more. Reserved with room to spare, the body is
  // never copied as it grows (one such copy cost ~6 % of a built page).
  const std::size_t stored_bytes = page.documents.bytes();
  out.reserve(stored_bytes + stored_bytes / 8 + 256);
  out += "{";
  json_text::append_string(out, name);
  out += ":[";
  for (std::size_t i = 0; i < page.documents.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_item(out, page.documents[i]);
  }
  out += "],\"count\":";
  json_text::append_integer(out, static_cast<std::int64_t>(page.documents.size()));
  out += ",\"nextCursor\":";
  if (page.next_cursor)
    json_text::append_string(out, *page.next_cursor);
  else
    out += "null";
  out.push_back('}');
  return out;
}

http::Response cached_list_page(AppContext& ctx, const http::Request& request, const store::Query& listed,
                                const std::function<std::string()>& render) {
  constexpr std::string_view kJson = "application/json";
  // Versions are kept for the table's partitions, not for the index's.
  if (!ctx.list_pages || listed.on_gsi1) return http::Response::text(200, std::string(kJson), render());
  const std::string_view sort_kind =
      listed.sort.op == store::SortOp::begins_with ? std::string_view(listed.sort.value) : std::string_view();
  // Read before the page: a write that lands in between makes the page newer than its version, never older.
  auto version = ctx.store->partition_version(listed.partition, sort_kind);
  if (!version) return http::Response::text(200, std::string(kJson), render());
  std::string key = request.user_id + '\n' + request.path + '?' + request.query_string;
  auto body = ctx.list_pages->find(key, *version);
  ctx.metrics->list_page(body != nullptr);
  if (!body) {
    body = std::make_shared<const std::string>(render());
    ctx.list_pages->keep(key, *version, body);
  }
  return http::Response::shared(200, std::string(kJson), std::move(body));
}

}  // namespace kefir::api
