#pragma once
// Helpers of the photo, blob, export, public page and label suites: a signed-in brewer with batches, photo
// uploads through the real presigned URLs, and running the independent tools (python3's csv module,
// rsvg-convert, zbarimg, chromium) the tests check the output with.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/auth_helpers.hpp"
#include "support/command.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"
#include "util/crypto.hpp"

namespace kefir::test::photos {

namespace json = boost::json;

struct Brewer {
  std::string user_id;
  ApiClient api;
};

inline Brewer sign_up(const ServerProcess& server, const std::string& prefix = "brewer") {
  auto session = sign_in(server, unique_email(prefix));
  return {session.user_id, ApiClient(server.base_url(), session.access_token)};
}

inline json::object created(const HttpResponse& response, const char* what) {
  if (response.status != 201 && response.status != 200)
    throw std::runtime_error(std::string(what) + ": " + std::to_string(response.status) + " " +
                             response.body);
  return response.json().as_object();
}

inline std::string create_batch(const Brewer& brewer, json::object fields = {}) {
  fields.emplace("name", "Ginger lemon");
  fields.emplace("stage", "stage1_open");
  auto body = created(brewer.api.post("/batches", fields), "POST /batches");
  return std::string(body.at("batch").at("batchId").as_string());
}

struct Upload {
  std::string photo_key;
  std::string url;
  json::object body;  // the whole upload-url answer
};

inline Upload request_upload(const Brewer& brewer, const std::string& batch_id,
                             const std::string& content_type = "image/jpeg") {
  auto body = created(brewer.api.post("/batches/" + batch_id + "/photo/upload-url",
                                      {{"filename", "jar.jpg"}, {"contentType", content_type}}),
                      "POST upload-url");
  return {std::string(body.at("photoKey").as_string()), std::string(body.at("uploadUrl").as_string()), body};
}

inline HttpResponse put_blob(const std::string& url, const std::string& content_type,
                             const std::string& bytes) {
  HttpRequest request;
  request.method = "PUT";
  request.url = url;
  request.headers = {{"Content-Type", content_type}};
  request.body = bytes;
  return send(request);
}

inline HttpResponse get_url(const std::string& url) {
  HttpRequest request;
  request.url = url;
  return send(request);
}

inline std::string random_bytes(std::size_t count) {
  return crypto::random_bytes(count);
}

inline std::string read_file(const std::filesystem::path& path);

inline std::filesystem::path photo_fixture(const std::string& name) {
  return std::filesystem::path(KEFIR_SOURCE_DIR) / "tests/fixtures/photos" / name;
}

// A real image of the type (attaching makes renditions, so it must decode) followed by `tail`, which image
// decoders skip: photos stay distinguishable, and a transfer test can still send every byte value.
inline std::string image_bytes(const std::string& content_type = "image/jpeg", const std::string& tail = "") {
  auto extension = content_type == "image/png" ? "png" : content_type == "image/webp" ? "webp" : "jpg";
  return read_file(photo_fixture(std::string("sample.") + extension)) + tail;
}

// Requests an upload URL, PUTs an image there (`tag` tells it from others) and attaches the photo; returns
// the photo key.
inline std::string add_photo(const Brewer& brewer, const std::string& batch_id, const std::string& tag,
                             const std::string& content_type = "image/jpeg") {
  auto bytes = image_bytes(content_type, tag);
  auto upload = request_upload(brewer, batch_id, content_type);
  auto put = put_blob(upload.url, content_type, bytes);
  if (put.status != 200)
    throw std::runtime_error("PUT upload: " + std::to_string(put.status) + " " + put.body);
  created(brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}}), "attach");
  return upload.photo_key;
}

inline std::string error_code(const HttpResponse& response) {
  return std::string(response.json().at("code").as_string());
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// An image as libvips' own command-line tools (vipsheader, vips getpoint) read it, not kefir's code.
struct ImageFacts {
  int width = 0;
  int height = 0;
  std::string loader;
  std::string metadata;  // vipsheader -a: every field libvips read, EXIF ones included
};

inline ImageFacts image_facts(const std::string& bytes, const std::filesystem::path& file) {
  write_file(file, bytes);
  ImageFacts facts;
  auto header = run("vipsheader -a " + shell_quoted(file.string()) + " 2>&1");
  EXPECT_EQ(header.exit_code, 0) << header.out;
  facts.metadata = header.out;
  auto field = [&](const std::string& name) {
    auto at = header.out.find("\n" + name + ": ");
    if (at == std::string::npos) return std::string();
    auto start = at + name.size() + 3;
    return header.out.substr(start, header.out.find('\n', start) - start);
  };
  facts.width = std::atoi(field("width").c_str());
  facts.height = std::atoi(field("height").c_str());
  facts.loader = field("vips-loader");
  return facts;
}

// The red channel of one pixel (the fixtures are red on one half, blue on the other).
inline int red_at(const std::string& bytes, const std::filesystem::path& file, int x, int y) {
  write_file(file, bytes);
  auto point = run("vips getpoint " + shell_quoted(file.string()) + " " + std::to_string(x) + " " +
                   std::to_string(y) + " 2>&1");
  EXPECT_EQ(point.exit_code, 0) << point.out;
  return std::atoi(point.out.c_str());
}

// A rendition of the fixture rotated-gps.jpg (a 200 x 100 picture, red left and blue right, with EXIF
// orientation 6 and GPS coordinates), checked with files in `scratch`: upright and without metadata.
inline void expect_upright_without_gps(const std::string& rendition, bool webp, const TempDir& scratch) {
  auto file = scratch.path() / (webp ? "rendition.webp" : "rendition.jpg");
  auto image = image_facts(rendition, file);
  EXPECT_EQ(image.loader, webp ? "webpload" : "jpegload");
  // Orientation 6: the stored 200 x 100 picture is shown turned clockwise, so red ends up on top. Never
  // enlarged past the original.
  EXPECT_EQ(image.width, 100);
  EXPECT_EQ(image.height, 200);
  EXPECT_GT(red_at(rendition, file, 50, 20), 150) << "top is red";
  EXPECT_LT(red_at(rendition, file, 50, 180), 100) << "bottom is blue";
  // Where and with what it was taken is gone (libvips' WebP saver still writes a minimal EXIF block of its
  // own: the resolution and orientation 1, which is the truth about the upright pixels).
  for (const char* leaked : {"GPS", "TestPhone", "Orientation: 6"})
    EXPECT_EQ(image.metadata.find(leaked), std::string::npos) << leaked << " in\n" << image.metadata;
}

// Debian's Chromium (or another install of it), for the tests that render pages headless; "" when none.
inline std::string chromium_binary() {
  for (const char* candidate : {"chromium", "chromium-browser", "google-chrome"})
    if (run(std::string("command -v ") + candidate + " >/dev/null 2>&1").exit_code == 0) return candidate;
  return {};
}

// The start of a headless Chromium command line with a throwaway profile in `dir`; the caller adds
// --dump-dom or --screenshot and the URL.
inline std::string headless_chromium(const std::string& chromium, const TempDir& dir) {
  return chromium +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
         shell_quoted((dir.path() / "profile").string());
}

// PNG width and height from the IHDR chunk.
inline std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png) {
  auto big_endian = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(png[at])) << 24) | (std::uint32_t(std::uint8_t(png[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(png[at + 2])) << 8) | std::uint32_t(std::uint8_t(png[at + 3]));
  };
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
  return {big_endian(16), big_endian(20)};
}

}  // namespace kefir::test::photos
