// The batch chart (issue 18): GET /batches/{id}/chart.svg for the owner and /public/b/{batchId}/chart.svg for
// a shared batch, shown on its public page; every user string escaped, and headless Chromium renders it.
#include "integration/photos_support.hpp"

namespace kefir::test::photos {
namespace {

namespace fs = std::filesystem;

const std::string kHostileBatch = "Ginger <script>alert('batch')</script> & lemon";
const std::string kHostileSensor = "<script>alert('sensor')</script> windowsill";

class Chart : public ::testing::Test {
 protected:
  ServerProcess server;
  Brewer brewer = sign_up(server, "chart");
  ApiClient anonymous{server.base_url()};

  // A sensor attached to the batch, with the last day of windowsill readings and a pH reading now.
  void add_readings(const std::string& batch_id, const std::string& sensor_name) {
    auto created = brewer.api.post("/me/sensors", json::object{{"name", sensor_name}});
    ASSERT_EQ(created.status, 201) << created.body;
    auto sensor_id = std::string(created.json().at("sensor").at("sensorId").as_string());
    ASSERT_EQ(brewer.api.patch("/me/sensors/" + sensor_id, json::object{{"batchId", batch_id}}).status, 200);
    const auto url = std::string(created.json().at("ingestUrl").as_string());
    auto simulated = run_kefir({"simulate-sensor", url, "--profile", "windowsill"}, {});
    ASSERT_EQ(simulated.exit_code, 0) << simulated.err;
    ASSERT_EQ(
        anonymous.post(url.substr(url.find("/ingest/")), json::object{{"temperature", 23.0}, {"ph", 3.6}})
            .status,
        201);
  }
};

TEST_F(Chart, EveryUserStringIsEscaped) {
  auto id = create_batch(brewer, {{"name", kHostileBatch}, {"isPublic", true}});
  add_readings(id, kHostileSensor);
  auto confirmed = brewer.api.post(
      "/batches/" + id + "/reminders/confirm",
      {{"reminders",
        json::array{json::object{{"scheduledTime", format_rfc3339(std::chrono::time_point_cast<milliseconds>(
                                                                      std::chrono::system_clock::now()) +
                                                                  std::chrono::hours(5))},
                                 {"message", "<script>alert('reminder')</script>"}}}}});
  ASSERT_EQ(confirmed.status, 201) << confirmed.body;

  auto owned = brewer.api.get("/batches/" + id + "/chart.svg");
  ASSERT_EQ(owned.status, 200) << owned.body;
  EXPECT_EQ(owned.headers["content-type"], "image/svg+xml; charset=utf-8");
  EXPECT_EQ(owned.body.find("<script"), std::string::npos) << owned.body;
  EXPECT_NE(owned.body.find("Ginger &lt;script&gt;alert(&#39;batch&#39;)&lt;/script&gt; &amp; lemon"),
            std::string::npos)
      << owned.body;
  EXPECT_NE(owned.body.find("&lt;script&gt;alert(&#39;sensor&#39;)&lt;/script&gt; windowsill"),
            std::string::npos);
  EXPECT_NE(owned.body.find("&lt;script&gt;alert(&#39;reminder&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(owned.body.find("<polyline"), std::string::npos);
  EXPECT_NE(owned.body.find("pH (right axis)"), std::string::npos);

  // The public chart is the same drawing; a private batch's is not found, nor is it for anyone without a
  // token.
  auto shared = anonymous.get("/public/b/" + id + "/chart.svg");
  ASSERT_EQ(shared.status, 200);
  EXPECT_EQ(shared.body, owned.body);
  EXPECT_EQ(anonymous.get("/batches/" + id + "/chart.svg").status, 401);
  auto page = anonymous.get("/b/" + id);
  EXPECT_NE(page.body.find("src=\"" + server.base_url() + "/public/b/" + id + "/chart.svg\""),
            std::string::npos)
      << page.body;
  ASSERT_EQ(brewer.api.patch("/batches/" + id, {{"isPublic", false}}).status, 200);
  EXPECT_EQ(anonymous.get("/public/b/" + id + "/chart.svg").status, 404);

  auto stranger = sign_up(server, "chart-stranger");
  EXPECT_EQ(stranger.api.get("/batches/" + id + "/chart.svg").status, 404);
}

// Set KEFIR_SCREENSHOT_OUT=<path> to keep the screenshot (docs/sensor-chart.png is made that way).
TEST_F(Chart, RendersInHeadlessChromium) {
  auto chromium = chromium_binary();
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed (scripts/setup installs it)";
  auto id = create_batch(brewer, {{"name", "Windowsill water kefir"}, {"isPublic", true}});
  add_readings(id, "Kitchen window thermometer");
  ASSERT_EQ(brewer.api.patch("/batches/" + id, {{"stage", "stage2_bottled"}}).status, 200);

  TempDir dir;
  auto screenshot = dir.path() / "chart.png";
  const auto browser = headless_chromium(chromium, dir);
  auto url = server.base_url() + "/public/b/" + id + "/chart.svg";
  auto dom = run(browser + " --dump-dom " + shell_quoted(url) + " 2>/dev/null");
  ASSERT_EQ(dom.exit_code, 0);
  EXPECT_NE(dom.out.find("Windowsill water kefir"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find("polyline"), std::string::npos);
  auto shot = run(browser + " --window-size=800,400 --screenshot=" + shell_quoted(screenshot.string()) + " " +
                  shell_quoted(url) + " 2>/dev/null");
  ASSERT_EQ(shot.exit_code, 0);
  auto png = read_file(screenshot);
  EXPECT_EQ(png_size(png), (std::pair<std::uint32_t, std::uint32_t>{800, 400}));
  EXPECT_GT(png.size(), 15'000u) << "an empty drawing compresses to almost nothing";
  if (const char* keep = std::getenv("KEFIR_SCREENSHOT_OUT"))
    fs::copy_file(screenshot, keep, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace kefir::test::photos
