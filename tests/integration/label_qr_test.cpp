// The printable bottle label (SPEC §9): an SVG whose QR code, rendered by rsvg-convert and decoded by zbarimg
// (independent tools), gives back the batch's public URL.
#include "integration/photos_support.hpp"

namespace kefir::test::photos {
namespace {

// What zbarimg reads from the label once rsvg-convert has rendered it.
std::string decode_label(const std::string& svg) {
  TempDir dir;
  auto svg_path = dir.path() / "label.svg";
  auto png_path = dir.path() / "label.png";
  write_file(svg_path, svg);
  auto render = run("rsvg-convert --width 900 --background-color white " + shell_quoted(svg_path.string()) +
                    " -o " + shell_quoted(png_path.string()) + " 2>/dev/null");
  if (render.exit_code != 0) throw std::runtime_error("rsvg-convert could not render the label");
  auto decoded = run("zbarimg --quiet --raw " + shell_quoted(png_path.string()) + " 2>/dev/null");
  if (decoded.exit_code != 0) throw std::runtime_error("zbarimg found no code on the label");
  while (!decoded.out.empty() && decoded.out.back() == '\n') decoded.out.pop_back();
  return decoded.out;
}

TEST(LabelQr, DecodesBackToThePublicUrl) {
  // An explicit public URL, as in production, proves the code is made from PUBLIC_BASE_URL.
  ServerProcess server({.env = {{"PUBLIC_BASE_URL", "https://kefir.example.com"}}});
  auto brewer = sign_up(server);
  const std::string name = "Ginger & \"lemon\" <fizz> \xF0\x9F\x8D\x8B with a name long enough to wrap";
  auto id = create_batch(brewer, {{"name", name}, {"startDate", "2026-01-15T10:00:00Z"}});

  auto label = brewer.api.get("/batches/" + id + "/label.svg");
  ASSERT_EQ(label.status, 200) << label.body;
  EXPECT_EQ(label.header("content-type"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(decode_label(label.body), "https://kefir.example.com/b/" + id);
  // The name is escaped and wrapped over lines of the label.
  EXPECT_NE(label.body.find(">Ginger &amp;</text>"), std::string::npos) << label.body;
  EXPECT_NE(label.body.find(">&quot;lemon&quot; &lt;fizz&gt;</text>"), std::string::npos) << label.body;
  EXPECT_EQ(label.body.find("<fizz>"), std::string::npos);
  EXPECT_NE(label.body.find("Started 15 Jan 2026"), std::string::npos);
  EXPECT_NE(label.body.find("Water kefir"), std::string::npos);

  // A private batch still gets its label; only its owner can print it.
  auto stranger = sign_up(server, "stranger");
  EXPECT_EQ(stranger.api.get("/batches/" + id + "/label.svg").status, 404);
  EXPECT_EQ(ApiClient(server.base_url()).get("/batches/" + id + "/label.svg").status, 401);
}

TEST(LabelQr, DefaultPublicUrlIsTheServersOwn) {
  ServerProcess server;
  auto brewer = sign_up(server);
  auto id = create_batch(brewer, {{"name", "Milk kefir"}, {"kind", "milk"}});
  auto label = brewer.api.get("/batches/" + id + "/label.svg");
  ASSERT_EQ(label.status, 200);
  auto url = decode_label(label.body);
  EXPECT_EQ(url, server.base_url() + "/b/" + id);
  // And the code leads somewhere: the "not shared" page until the batch is made public.
  EXPECT_EQ(get_url(url).status, 404);
  ASSERT_EQ(brewer.api.patch("/batches/" + id, {{"isPublic", true}}).status, 200);
  auto page = get_url(url);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Milk kefir"), std::string::npos);
}

}  // namespace
}  // namespace kefir::test::photos
