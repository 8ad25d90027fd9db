// Public sharing over real HTTP (SPEC §9): the JSON view shows only the allowed fields, the HTML page is
// self-contained and escaped under a strict CSP, private and unknown batches look the same, and headless
// Chromium renders the page.
#include <cstdlib>
#include <set>

#include "integration/photos_support.hpp"

namespace kefir::test::photos {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUnknownBatch = "01941f29-7c00-7000-8000-000000000001";
const std::string kHostileNote = "<script>alert('x')</script> & <img src=x onerror=alert(1)>";

class PublicPage : public ::testing::Test {
 protected:
  ServerProcess server;
  Brewer brewer = sign_up(server);
  ApiClient anonymous{server.base_url()};

  void make_public(const std::string& id, bool shared) {
    auto response = brewer.api.patch("/batches/" + id, {{"isPublic", shared}});
    ASSERT_EQ(response.status, 200) << response.body;
  }
};

TEST_F(PublicPage, JsonShowsOnlyTheAllowedFields) {
  auto id = create_batch(brewer, {{"name", "Shared <brew>"},
                                  {"notes", "private notes"},
                                  {"publicNote", kHostileNote},
                                  {"isPublic", true}});
  add_photo(brewer, id, "photo bytes");
  auto event = brewer.api.post("/batches/" + id + "/events",
                               {{"type", "measurement"},
                                {"description", "fizzy"},
                                {"metadata", {{"ph", 3.4}, {"secret", "hidden metadata"}}}});
  ASSERT_EQ(event.status, 201);

  auto response = anonymous.get("/public/b/" + id);
  ASSERT_EQ(response.status, 200) << response.body;
  auto batch = response.json().at("batch").as_object();
  std::set<std::string> keys;
  for (const auto& field : batch) keys.insert(field.key());
  EXPECT_EQ(keys,
            (std::set<std::string>{"batchId", "name", "kind", "stage", "status", "startDate",
                                   "stage2StartDate", "publicNote", "createdAt", "photos", "timeline"}));
  EXPECT_EQ(batch.at("name").as_string(), "Shared <brew>");
  EXPECT_EQ(batch.at("publicNote").as_string(), kHostileNote);
  for (const char* leaked : {"private notes", "hidden metadata", brewer.user_id.c_str(), "@example.com"})
    EXPECT_EQ(response.body.find(leaked), std::string::npos) << leaked;

  const auto& photos = batch.at("photos").as_array();
  ASSERT_EQ(photos.size(), 1u);
  EXPECT_EQ(photos[0].as_object().size(), 1u);
  // The large JPEG rendition, never the original (which may say where it was taken).
  auto shown = get_url(std::string(photos[0].at("url").as_string()));
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(shown.header("content-type"), "image/jpeg");
  EXPECT_NE(shown.body, image_bytes("image/jpeg", "photo bytes"));

  const auto& timeline = batch.at("timeline").as_array();
  ASSERT_EQ(timeline.size(), 3u);  // started, photo, measurement
  for (const auto& entry : timeline) {
    std::set<std::string> fields;
    for (const auto& field : entry.as_object()) fields.insert(field.key());
    EXPECT_EQ(fields, (std::set<std::string>{"type", "timestamp", "description"}));
  }
  EXPECT_EQ(timeline[0].at("description").as_string(), "Batch started");
  EXPECT_EQ(timeline[2].at("type").as_string(), "measurement");
}

TEST_F(PublicPage, PrivateArchivedAndUnknownBatchesLookAlike) {
  auto id = create_batch(brewer);
  auto unknown_json = anonymous.get("/public/b/" + std::string(kUnknownBatch));
  auto unknown_page = anonymous.get("/b/" + std::string(kUnknownBatch));
  EXPECT_EQ(unknown_json.status, 404);
  EXPECT_EQ(unknown_page.status, 404);
  EXPECT_NE(unknown_page.body.find("not shared"), std::string::npos);

  auto same_as_unknown = [&](const std::string& batch_id) {
    auto json_view = anonymous.get("/public/b/" + batch_id);
    auto page = anonymous.get("/b/" + batch_id);
    EXPECT_EQ(json_view.status, 404) << batch_id;
    EXPECT_EQ(page.status, 404) << batch_id;
    EXPECT_EQ(json_view.json().at("error"), unknown_json.json().at("error"));
    EXPECT_EQ(json_view.json().at("code"), unknown_json.json().at("code"));
    EXPECT_EQ(page.body, unknown_page.body);
  };
  same_as_unknown(id);  // private
  same_as_unknown("not-a-uuid");

  ASSERT_EQ(brewer.api.del("/batches/" + id).status, 200);  // archived and private
  same_as_unknown(id);
  make_public(id, true);  // archived but shared: still shown
  EXPECT_EQ(anonymous.get("/public/b/" + id).status, 200);
  make_public(id, false);
  same_as_unknown(id);
}

TEST_F(PublicPage, HtmlIsEscapedSelfContainedAndUnderAStrictPolicy) {
  auto id = create_batch(
      brewer, {{"name", "<b>Bold</b> & \"quoted\""}, {"publicNote", kHostileNote}, {"isPublic", true}});
  add_photo(brewer, id, "png bytes", "image/png");
  auto page = anonymous.get("/b/" + id);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  // No script may run and nothing may load but inline styles and the photos.
  auto policy = page.header("content-security-policy");
  EXPECT_EQ(policy.rfind("default-src 'none';", 0), 0u) << policy;
  EXPECT_NE(policy.find("style-src 'unsafe-inline'"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("script-src"), std::string::npos) << policy;
  EXPECT_EQ(policy.find('*'), std::string::npos) << policy;
  auto images = policy.substr(policy.find("img-src"));
  images = images.substr(0, images.find(';'));
  EXPECT_TRUE(images.find(" " + server.base_url()) != std::string::npos ||
              images.find(" 'self'") != std::string::npos)
      << policy;
  EXPECT_NE(images.find(" data:"), std::string::npos) << policy;
  EXPECT_NE(page.body.find("&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.body.find("<b>Bold"), std::string::npos);
  EXPECT_EQ(page.body.find("onerror=alert"), page.body.find("onerror=alert(1)&gt;"));
  // Nothing external: no scripts, stylesheets, fonts or frames; images only through the public photo route,
  // whose links do not name the owner.
  for (const char* tag : {"<link", "<iframe", "<object", "<embed", "@import", "url("})
    EXPECT_EQ(page.body.find(tag), std::string::npos) << tag;
  std::size_t sources = 0;
  for (auto at = page.body.find(" src=\""); at != std::string::npos; at = page.body.find(" src=\"", at + 1)) {
    ++sources;
    auto prefix = server.base_url() + "/public/b/" + id + "/photos/";
    EXPECT_EQ(page.body.compare(at + 6, prefix.size(), prefix), 0);
  }
  EXPECT_EQ(sources, 1u);
  EXPECT_NE(page.body.find("name=\"viewport\""), std::string::npos);
}

// Real PNG photos drawn from SVG by rsvg-convert, so the page shows pictures.
std::string draw_png(const TempDir& dir, const std::string& name, const std::string& svg_body) {
  auto svg = dir.path() / (name + ".svg");
  auto png = dir.path() / (name + ".png");
  write_file(
      svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"480\" viewBox=\"0 0 480 480\">" +
               svg_body + "</svg>");
  if (run("rsvg-convert " + shell_quoted(svg.string()) + " -o " + shell_quoted(png.string())).exit_code != 0)
    throw std::runtime_error("rsvg-convert failed");
  return read_file(png);
}

// Set KEFIR_SCREENSHOT_OUT=<path> to keep the screenshot (docs/public-batch-page.png is made that way).
TEST_F(PublicPage, RendersInHeadlessChromium) {
  auto chromium = chromium_binary();
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed (scripts/setup installs it)";
  auto id = create_batch(brewer, {{"name", "Ginger & lemon water kefir"},
                                  {"kind", "water"},
                                  {"fruits", json::array{"lemon", "ginger"}},
                                  {"publicNote",
                                   "Second ferment with fresh ginger. Fizzy after two days — "
                                   "open over the sink!"},
                                  {"isPublic", true}});
  TempDir dir;
  add_photo(
      brewer, id,
      draw_png(
          dir, "jar",
          "<rect width=\"480\" height=\"480\" fill=\"#f4e9d8\"/><rect x=\"150\" y=\"90\" width=\"180\" "
          "height=\"300\" rx=\"30\" fill=\"#fff8e1\" stroke=\"#8d6e63\" stroke-width=\"8\"/><rect x=\"170\" "
          "y=\"60\" width=\"140\" height=\"40\" rx=\"8\" fill=\"#8d6e63\"/><circle cx=\"210\" cy=\"330\" "
          "r=\"22\" fill=\"#fbc02d\"/><circle cx=\"260\" cy=\"350\" r=\"18\" fill=\"#fdd835\"/>"),
      "image/png");
  add_photo(
      brewer, id,
      draw_png(
          dir, "bottles",
          "<rect width=\"480\" height=\"480\" fill=\"#e3efe6\"/><rect x=\"90\" y=\"150\" width=\"90\" "
          "height=\"260\" rx=\"20\" fill=\"#a5d6a7\"/><rect x=\"200\" y=\"150\" width=\"90\" height=\"260\" "
          "rx=\"20\" fill=\"#c5e1a5\"/><rect x=\"310\" y=\"150\" width=\"90\" height=\"260\" rx=\"20\" "
          "fill=\"#ffe082\"/><rect x=\"115\" y=\"100\" width=\"40\" height=\"60\" fill=\"#6d4c41\"/><rect "
          "x=\"225\" y=\"100\" width=\"40\" height=\"60\" fill=\"#6d4c41\"/><rect x=\"335\" y=\"100\" "
          "width=\"40\" height=\"60\" fill=\"#6d4c41\"/>"),
      "image/png");
  for (const char* text : {"Bubbles on the surface, smells sweet", "pH 3.6, tastes tangy"})
    ASSERT_EQ(brewer.api.post("/batches/" + id + "/events", {{"type", "observation"}, {"description", text}})
                  .status,
              201);
  ASSERT_EQ(brewer.api.patch("/batches/" + id, {{"stage", "stage2_bottled"}}).status, 200);

  auto screenshot = dir.path() / "page.png";
  const auto browser = headless_chromium(chromium, dir);
  auto url = server.base_url() + "/b/" + id;
  auto dom = run(browser + " --dump-dom " + shell_quoted(url) + " 2>/dev/null");
  ASSERT_EQ(dom.exit_code, 0);
  EXPECT_NE(dom.out.find("Ginger &amp; lemon water kefir"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find("pH 3.6, tastes tangy"), std::string::npos);
  auto shot = run(browser + " --window-size=420,900 --screenshot=" + shell_quoted(screenshot.string()) + " " +
                  shell_quoted(url) + " 2>/dev/null");
  ASSERT_EQ(shot.exit_code, 0);
  auto png = read_file(screenshot);
  EXPECT_EQ(png_size(png), (std::pair<std::uint32_t, std::uint32_t>{420, 900}));
  EXPECT_GT(png.size(), 20'000u) << "an empty page compresses to almost nothing";
  if (const char* keep = std::getenv("KEFIR_SCREENSHOT_OUT"))
    fs::copy_file(screenshot, keep, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace kefir::test::photos
