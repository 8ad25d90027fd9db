#include "support/s3rver.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "support/peer_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

constexpr const char* kAccessKey = "S3RVER";
constexpr const char* kSecretKey = "S3RVER";

struct Server {
  TempDir directory;
  std::unique_ptr<PeerProcess> process;
  S3rver info;

  ~Server() { process.reset(); }  // stop the server before its directory goes
};

std::unique_ptr<Server> start() {
  auto script = std::filesystem::path(KEFIR_SOURCE_DIR) / "tests/node/s3rver-main.mjs";
  if (!std::filesystem::exists(std::filesystem::path(KEFIR_SOURCE_DIR) / "tests/node/node_modules/s3rver"))
    throw std::runtime_error("s3rver is missing: run `npm ci` in tests/node (scripts/setup does)");
  auto server = std::make_unique<Server>();
  auto log_path = (server->directory.path() / "s3rver.log").string();
  auto store = server->directory.path() / "store";
  std::filesystem::create_directories(store);
  server->process = std::make_unique<PeerProcess>(
      // s3rver enciphers list continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
      std::vector<std::string>{"node", "--openssl-legacy-provider", script.string(), "0", store.string()},
      log_path);
  auto line = server->process->wait_for_line([](const std::string& l) { return l.starts_with("listening "); },
                                             std::chrono::seconds(30));
  if (line.empty()) throw std::runtime_error("s3rver did not start; see " + log_path);
  server->info.endpoint = "http://127.0.0.1:" + line.substr(10);
  return server;
}

}  // namespace

const S3rver& s3rver() {
  static std::unique_ptr<Server> server = start();
  return server->info;
}

std::string create_s3rver_bucket() {
  auto name = "kefir-test-" + unique_suffix();
  blob::S3BlobStore(s3rver_options(name)).create_bucket_if_missing();
  return name;
}

blob::S3Options s3rver_options(const std::string& bucket) {
  blob::S3Options options;
  options.bucket = bucket;
  options.endpoint = s3rver().endpoint;
  options.credentials = {kAccessKey, kSecretKey, ""};
  options.list_page_size = 2;
  return options;
}

std::map<std::string, std::string> s3rver_env(const std::string& bucket) {
  return {{"BLOBS", "s3"},
          {"S3_ENDPOINT", s3rver().endpoint},
          {"BUCKET_NAME", bucket},
          {"AWS_REGION", "us-east-1"},
          {"AWS_ACCESS_KEY_ID", kAccessKey},
          {"AWS_SECRET_ACCESS_KEY", kSecretKey}};
}

}  // namespace kefir::test
