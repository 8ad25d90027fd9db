#include "views/public_page.hpp"

#include <string_view>

#include "domain/html.hpp"
#include "views/wording.hpp"

namespace kefir::views {

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

namespace {

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

// WebP for browsers that take it, JPEG otherwise, the size the grid needs.
std::string photo_html(const domain::PublicPhoto& photo, const std::string& batch_name) {
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

}  // namespace

std::string public_batch_page(const domain::PublicBatch& shown) {
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

}  // namespace kefir::views
