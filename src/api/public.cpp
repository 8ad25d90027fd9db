// Public sharing, SPEC §9: GET /public/b/{batchId} (JSON) and GET /b/{batchId} (a small self-contained HTML
// page, the target of a bottle's QR code) without a token, for batches with isPublic; and the printable
// bottle label GET /batches/{id}/label.svg for the owner. A private or unknown batch gives the same 404, so
// ids cannot be probed.
#include <qrencode.h>

#include <algorithm>
#include <set>

#include "api/routes.hpp"
#include "domain/event.hpp"
#include "domain/html.hpp"
#include "domain/keys.hpp"
#include "domain/photo.hpp"
#include "http/origin.hpp"
#include "services/batch_service.hpp"
#include "services/sensor_service.hpp"

namespace kefir::api {
namespace {

// The most recent events shown; a long-running batch's page stays small.
constexpr std::size_t kTimelineEvents = 200;

// Only renditions are public: an original may carry metadata such as where it was taken (GPS).
struct PublicPhoto {
  std::string rendition_base;  // /public/b/{batchId}/photos/<uuid>, to which ".w320.webp"... is added

  std::string url() const { return rendition_base + ".w1280.jpg"; }
};

struct PublicBatch {
  domain::Batch batch;
  std::vector<PublicPhoto> photos;
  std::vector<domain::Event> timeline;   // oldest first
  std::optional<std::string> chart_url;  // when sensors sent readings
};

std::string base_url(const AppContext& ctx) {
  std::string base = ctx.config.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string_view file_name_of(std::string_view photo_key) {
  return photo_key.substr(photo_key.rfind('/') + 1);
}

std::optional<domain::Batch> find_shared_batch(AppContext& ctx, std::string_view batch_id) {
  auto batch = services::find_batch_by_id(ctx, batch_id);
  if (!batch || !batch->is_public) return std::nullopt;
  return batch;
}

// Photos are linked through /public/b/{batchId}/photos/{file}: a storage key or presigned URL names the owner
// (users/<userId>/...), and a public page must not (SPEC §9).
std::optional<PublicBatch> find_public_batch(AppContext& ctx, std::string_view batch_id) {
  auto batch = find_shared_batch(ctx, batch_id);
  if (!batch) return std::nullopt;
  PublicBatch shown{std::move(*batch), {}, {}, {}};
  if (services::has_readings(ctx, shown.batch.batch_id))
    shown.chart_url = base_url(ctx) + "/public/b/" + shown.batch.batch_id + "/chart.svg";
  // A photo without renditions (attached before they existed, or in a build without libvips) is not shown.
  for (const auto& key : shown.batch.photo_keys) {
    if (!ctx.blobs->head(photo::rendition_key(key, photo::kRenditions.front()))) continue;
    auto file = file_name_of(key);
    shown.photos.push_back({base_url(ctx) + "/public/b/" + shown.batch.batch_id + "/photos/" +
                            std::string(file.substr(0, file.rfind('.')))});
  }
  store::Query query;
  query.partition = keys::events_pk(shown.batch.batch_id);
  query.sort = {store::SortOp::begins_with, std::string(keys::kEventPrefix), {}};
  query.forward = false;
  query.limit = kTimelineEvents;
  auto page = ctx.store->query(query);
  for (auto it = page.items.rbegin(); it != page.items.rend(); ++it)
    shown.timeline.push_back(domain::event_from_item(*it));
  return shown;
}

// WebP for browsers that take it, JPEG otherwise, the size the grid needs.
std::string photo_html(const PublicPhoto& photo, const std::string& batch_name) {
  auto alt = "alt=\"Photo of " + html::escape(batch_name) + "\"";
  auto set = [&](std::string_view extension) {
    return html::escape(photo.rendition_base) + ".w320." + std::string(extension) + " 320w, " +
           html::escape(photo.rendition_base) + ".w1280." + std::string(extension) + " 1280w";
  };
  constexpr std::string_view kSizes = "sizes=\"(max-width: 640px) 50vw, 320px\"";
  return "<picture><source type=\"image/webp\" srcset=\"" + set("webp") + "\" " + std::string(kSizes) +
         "><img src=\"" + html::escape(photo.rendition_base) + ".w320.jpg\" srcset=\"" + set("jpg") + "\" " +
         std::string(kSizes) + " " + alt + "></picture>";
}

json::value optional_time(const std::optional<TimePoint>& time) {
  return time ? json::value(format_rfc3339(*time)) : json::value(nullptr);
}

json::object public_json(const PublicBatch& shown) {
  const auto& batch = shown.batch;
  json::array photos;
  for (const auto& photo : shown.photos) photos.push_back(json::object{{"url", photo.url()}});
  json::array timeline;
  for (const auto& event : shown.timeline)
    timeline.push_back(json::object{{"type", event.type},
                                    {"timestamp", format_rfc3339(event.timestamp)},
                                    {"description", event.description}});
  return {{"batchId", batch.batch_id},
          {"name", batch.name},
          {"kind", batch.kind},
          {"stage", batch.stage},
          {"status", batch.status},
          {"startDate", format_rfc3339(batch.start_date)},
          {"stage2StartDate", optional_time(batch.stage2_start_date)},
          {"publicNote", batch.public_note ? json::value(*batch.public_note) : json::value(nullptr)},
          {"createdAt", format_rfc3339(batch.created_at)},
          {"photos", std::move(photos)},
          {"timeline", std::move(timeline)}};
}

// ---- Human-readable labels -------------------------------------------------------------------------------

std::string day_text(TimePoint t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         kMonths[static_cast<unsigned>(ymd.month()) - 1] + " " + std::to_string(static_cast<int>(ymd.year()));
}

std::string moment_text(TimePoint t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::minutes>(t - day)};
  char clock[8];
  std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()));
  return day_text(t) + ", " + clock + " UTC";
}

std::string kind_text(std::string_view kind) {
  return kind == "milk" ? "Milk kefir" : "Water kefir";
}

std::string stage_text(std::string_view stage) {
  return stage == domain::kStageBottled ? "Second fermentation (bottled)" : "First fermentation (open jar)";
}

std::string status_text(std::string_view status) {
  if (status == "in_fridge") return "In the fridge";
  if (status == "ready") return "Ready";
  if (status == domain::kStatusArchived) return "Finished";
  return "Fermenting";
}

std::string event_title(std::string_view type) {
  if (type == domain::kEventStageChange) return "Stage change";
  if (type == domain::kEventStatusChange) return "Status change";
  if (type == domain::kEventPhotoAdded) return "Photo";
  if (type == domain::kEventMeasurement) return "Measurement";
  if (type == domain::kEventNote) return "Note";
  if (type == domain::kEventAlert) return "Alert";
  return "Observation";
}

// ---- The HTML page ---------------------------------------------------------------------------------------

constexpr std::string_view kPageStyle = R"(
:root{color-scheme:light dark;--bg:#faf6ef;--fg:#2a251f;--muted:#776b5d;--card:#fff;--line:#e8dccb;--accent:#b45309}
@media (prefers-color-scheme:dark){:root{--bg:#1c1917;--fg:#f5efe6;--muted:#a8a29e;--card:#292524;--line:#44403c;--accent:#f59e0b}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:640px;margin:0 auto;padding:20px 16px 40px}
.brand{display:flex;align-items:center;gap:8px;color:var(--muted);font-size:.85rem;letter-spacing:.08em;text-transform:uppercase}
.brand b{display:inline-grid;place-items:center;width:26px;height:26px;border-radius:50%;background:var(--accent);color:#fff;font-size:.9rem}
h1{font-size:1.7rem;line-height:1.2;margin:14px 0 10px;overflow-wrap:anywhere}
h2{font-size:1.05rem;margin:26px 0 10px}
.tags{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 14px;padding:0;list-style:none}
.tags li{background:var(--card);border:1px solid var(--line);border-radius:999px;padding:2px 10px;font-size:.85rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 14px;margin:0}
dt{color:var(--muted)}
dd{margin:0}
.note{background:var(--card);border-left:4px solid var(--accent);border-radius:6px;padding:10px 14px;margin:16px 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.photos{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.chart{display:block;width:100%;height:auto;border-radius:8px}
.photos img{display:block;width:100%;aspect-ratio:1;object-fit:cover;border-radius:8px;background:var(--line)}
ol{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid var(--line)}
ol li{position:relative;padding:0 0 14px 4px;overflow-wrap:anywhere}
ol li::before{content:"";position:absolute;left:-21px;top:7px;width:12px;height:12px;border-radius:50%;background:var(--accent)}
time,.empty{display:block;color:var(--muted);font-size:.85rem}
footer{margin-top:34px;color:var(--muted);font-size:.8rem;text-align:center}
)";

std::string page(std::string_view title, const std::string& body) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\"><title>";
  out += html::escape(title);
  out += "</title><style>";
  out += kPageStyle;
  out += "</style></head><body><main><div class=\"brand\"><b>K</b>Kefir</div>\n";
  out += body;
  out += "<footer>Shared from Kefir, the home fermenter's logbook.</footer></main></body></html>\n";
  return out;
}

std::string batch_page(const PublicBatch& shown) {
  const auto& batch = shown.batch;
  std::string body = "<h1>" + html::escape(batch.name) + "</h1>\n<ul class=\"tags\"><li>" +
                     kind_text(batch.kind) + "</li><li>" + stage_text(batch.stage) + "</li><li>" +
                     status_text(batch.status) + "</li></ul>\n<dl><dt>Started</dt><dd>" +
                     day_text(batch.start_date) + "</dd>";
  if (batch.stage2_start_date) body += "<dt>Bottled</dt><dd>" + day_text(*batch.stage2_start_date) + "</dd>";
  body += "</dl>\n";
  if (batch.public_note && !batch.public_note->empty())
    body += "<p class=\"note\">" + html::escape(*batch.public_note) + "</p>\n";
  if (shown.chart_url)
    body += "<h2>Temperature</h2>\n<img class=\"chart\" src=\"" + html::escape(*shown.chart_url) +
            "\" alt=\"Temperature of the batch over time, from its sensors\">\n";
  if (!shown.photos.empty()) {
    body += "<h2>Photos</h2>\n<div class=\"photos\">";
    for (const auto& photo : shown.photos) body += photo_html(photo, batch.name);
    body += "</div>\n";
  }
  body += "<h2>Timeline</h2>\n";
  if (shown.timeline.empty()) body += "<p class=\"empty\">Nothing logged yet.</p>\n";
  if (!shown.timeline.empty()) {
    body += "<ol>";
    for (const auto& event : shown.timeline) {
      body += "<li><time datetime=\"" + format_rfc3339(event.timestamp) + "\">" +
              moment_text(event.timestamp) + "</time><strong>" + event_title(event.type) + "</strong>";
      if (!event.description.empty()) body += "<br>" + html::escape(event.description);
      body += "</li>";
    }
    body += "</ol>\n";
  }
  return page(batch.name + " · Kefir", body);
}

std::string not_shared_page() {
  return page(
      "Not shared · Kefir",
      "<h1>This batch is not shared</h1>\n<p>Its brewer has not made it public, or the link is wrong. "
      "Ask them to share it from the Kefir app.</p>\n");
}

http::Response html_response(int status, std::string body, const std::set<std::string>& image_origins) {
  auto response = http::Response::text(status, "text/html; charset=utf-8", std::move(body));
  std::string images;
  for (const auto& origin : image_origins) images += origin + " ";
  response.set_header("content-security-policy",
                      "default-src 'none'; img-src " + images +
                          "data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                          "frame-ancestors 'none'");
  response.set_header("cache-control", "no-store");
  response.set_header("x-robots-tag", "noindex");
  return response;
}

// ---- The bottle label ------------------------------------------------------------------------------------

// Up to `max_lines` lines of at most `width` characters, broken at spaces where possible; an ellipsis ends a
// text that did not fit.
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::size_t max_lines) {
  std::vector<std::string> chars;  // UTF-8 code points
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 1;
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xF0)
      length = 4;
    else if (lead >= 0xE0)
      length = 3;
    else if (lead >= 0xC0)
      length = 2;
    chars.emplace_back(text.substr(i, length));
    i += length;
  }
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < chars.size() && lines.size() < max_lines) {
    while (start < chars.size() && chars[start] == " ") ++start;
    auto end = std::min(chars.size(), start + width);
    if (end < chars.size()) {
      auto space = end;
      while (space > start && chars[space] != " ") --space;
      if (space > start) end = space;
    }
    std::string line;
    for (auto i = start; i < end; ++i) line += chars[i];
    lines.push_back(std::move(line));
    start = end;
  }
  while (start < chars.size() && chars[start] == " ") ++start;
  if (start < chars.size() && !lines.empty()) lines.back() += "\xE2\x80\xA6";
  return lines;
}

// The QR code as one SVG path in module units, dark runs of a row merged into one rectangle.
std::string qr_path(const std::string& text, int quiet_zone, int& size) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) throw std::runtime_error("QR encoding failed");
  int width = code->width;
  size = width + 2 * quiet_zone;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if (!(code->data[y * width + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (code->data[y * width + x + run] & 1)) ++run;
      path += "M" + std::to_string(x + quiet_zone) + " " + std::to_string(y + quiet_zone) + "h" +
              std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  return path;
}

std::string label_svg(const domain::Batch& batch, const std::string& public_url) {
  int modules = 0;
  auto path = qr_path(public_url, 4, modules);
  // Units are tenths of a millimetre: a 90 x 55 mm label.
  std::string svg =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"90mm\" height=\"55mm\" viewBox=\"0 0 900 550\">\n"
      "<rect width=\"900\" height=\"550\" rx=\"24\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"3\"/>\n"
      "<svg x=\"20\" y=\"20\" width=\"460\" height=\"460\" viewBox=\"0 0 " +
      std::to_string(modules) + " " + std::to_string(modules) +
      "\" shape-rendering=\"crispEdges\"><path fill=\"#000\" d=\"" + path + "\"/></svg>\n";
  svg += "<g font-family=\"Helvetica, Arial, sans-serif\" fill=\"#000\">\n";
  int y = 90;
  for (const auto& line : wrap(batch.name, 15, 4)) {
    svg += "<text x=\"500\" y=\"" + std::to_string(y) + "\" font-size=\"44\" font-weight=\"bold\">" +
           html::escape(line) + "</text>\n";
    y += 54;
  }
  y += 16;
  svg += "<text x=\"500\" y=\"" + std::to_string(y) + "\" font-size=\"30\">Started " +
         day_text(batch.start_date) + "</text>\n";
  svg += "<text x=\"500\" y=\"" + std::to_string(y + 42) + "\" font-size=\"30\">" + kind_text(batch.kind) +
         "</text>\n";
  svg += "<text x=\"500\" y=\"440\" font-size=\"24\" fill=\"#555\">Scan for the batch page</text>\n";
  svg += "<text x=\"450\" y=\"525\" font-size=\"20\" fill=\"#555\" text-anchor=\"middle\">" +
         html::escape(public_url) + "</text>\n</g>\n</svg>\n";
  return svg;
}

std::string public_url(const AppContext& ctx, std::string_view batch_id) {
  return base_url(ctx) + "/b/" + std::string(batch_id);
}

// A shared batch's photo: streamed from the filesystem store; with S3, a redirect to a short-lived presigned
// GET (a Lambda response could not carry a 10 MiB photo).
http::Response public_photo(AppContext& ctx, const http::Request& request) {
  auto batch = find_shared_batch(ctx, request.param("batchId"));
  if (!batch) throw http::not_found("photo not found");
  auto file = request.param("file");
  // A rendition ("<uuid>.w320.webp"), never the original.
  std::optional<std::string> key;
  for (const auto& candidate : batch->photo_keys) {
    if (auto rendition = photo::rendition_named(candidate, file)) {
      key = photo::rendition_key(candidate, *rendition);
      break;
    }
  }
  if (!key) throw http::not_found("photo not found");
  if (auto* files = dynamic_cast<blob::FsBlobStore*>(ctx.blobs.get()))
    return stored_object_response(*files, *key, "public, max-age=300");
  if (!ctx.blobs->head(*key)) throw http::not_found("photo not found");
  http::Response response;
  response.status = 302;
  response.set_header("location", ctx.blobs->presign_download(*key, photo::kUrlLifetime).url);
  response.set_header("cache-control", "no-store");
  return response;
}

}  // namespace

void register_public_routes(http::Router& router, AppContext& ctx) {
  http::RouteOptions no_token{.authenticated = false};

  router.add(
      "GET", "/public/b/{batchId}",
      [&ctx](http::Request& request) {
        auto shown = find_public_batch(ctx, request.param("batchId"));
        if (!shown) throw http::not_found("batch not found");
        auto response = http::Response::json(200, {{"batch", public_json(*shown)}});
        response.set_header("cache-control", "no-store");
        return response;
      },
      no_token);

  router.add(
      "GET", "/public/b/{batchId}/photos/{file}",
      [&ctx](http::Request& request) { return public_photo(ctx, request); }, no_token);

  router.add(
      "GET", "/b/{batchId}",
      [&ctx](http::Request& request) {
        auto shown = find_public_batch(ctx, request.param("batchId"));
        if (!shown) return html_response(404, not_shared_page(), {});
        std::set<std::string> origins;
        for (const auto& photo : shown->photos) origins.insert(http::origin_of(photo.url()));
        if (shown->chart_url) origins.insert(http::origin_of(*shown->chart_url));
        return html_response(200, batch_page(*shown), origins);
      },
      no_token);

  router.add("GET", "/batches/{id}/label.svg", [&ctx](http::Request& request) {
    auto batch = services::get_batch(ctx, request.user_id, request.param("id"));
    auto response = http::Response::text(200, "image/svg+xml; charset=utf-8",
                                         label_svg(batch, public_url(ctx, batch.batch_id)));
    response.set_header("content-disposition", "inline; filename=\"kefir-label-" + batch.batch_id + ".svg\"");
    return response;
  });
}

}  // namespace kefir::api
