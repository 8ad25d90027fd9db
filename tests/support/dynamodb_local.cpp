#include "support/dynamodb_local.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <thread>

#include "adapters/aws/http_client.hpp"
#include "support/peer_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

// Any credentials work with the emulator; these are also the ones s3rver knows, so one kefir process can
// use both engines with the same AWS_* variables.
constexpr const char* kAccessKey = "S3RVER";
constexpr const char* kSecretKey = "S3RVER";

struct Emulator {
  TempDir directory;  // holds the emulator's log
  std::unique_ptr<PeerProcess> process;
  DynamoDbLocal info;

  ~Emulator() { process.reset(); }
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool answers(const std::string& endpoint) {
  net::HttpClient client({std::chrono::milliseconds(500), std::chrono::milliseconds(2000)});
  try {
    client.send("GET", endpoint + "/", {});
    return true;
  } catch (const net::NetworkError&) {
    return false;
  }
}

std::unique_ptr<Emulator> start() {
  auto emulator_dir =
      std::filesystem::path(KEFIR_SOURCE_DIR) / "tests/node/node_modules/amplify-dynamodb-simulator/emulator";
  if (!std::filesystem::exists(emulator_dir / "DynamoDBLocal.jar"))
    throw std::runtime_error("DynamoDB Local is missing: run `npm ci` in tests/node (scripts/setup does)");
  // The port is only known free a moment before the JVM binds it: try again when another process took it.
  std::string log;
  for (int tries = 0; tries < 3; ++tries) {
    auto emulator = std::make_unique<Emulator>();
    auto log_path = emulator->directory.path() / "dynamodb-local.log";
    int port = free_loopback_port();
    emulator->info.endpoint = "http://127.0.0.1:" + std::to_string(port);
    emulator->process = std::make_unique<PeerProcess>(
        // C1-only JIT and the serial collector: the emulator lives for one test process, so a quick start on
        // a busy machine matters more than peak speed.
        std::vector<std::string>{"java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                                 "-Djava.library.path=" + (emulator_dir / "DynamoDBLocal_lib").string(),
                                 "-jar", (emulator_dir / "DynamoDBLocal.jar").string(), "-inMemory",
                                 "-sharedDb", "-disableTelemetry", "-port", std::to_string(port)},
        log_path.string());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (emulator->process->running() && std::chrono::steady_clock::now() < deadline) {
      if (answers(emulator->info.endpoint)) return emulator;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    bool hung = emulator->process->running();
    log = read_file(log_path);
    if (hung) break;
  }
  throw std::runtime_error("DynamoDB Local did not start: " + log);
}

}  // namespace

const DynamoDbLocal& dynamodb_local() {
  static std::unique_ptr<Emulator> emulator = start();
  return emulator->info;
}

std::string create_dynamodb_local_table() {
  auto name = "kefir-test-" + unique_suffix();
  SystemClock clock;
  store::DynamoDbItemStore(dynamodb_local_options(name), clock).create_table();
  return name;
}

store::DynamoDbOptions dynamodb_local_options(const std::string& table_name) {
  store::DynamoDbOptions options;
  options.table_name = table_name;
  options.endpoint = dynamodb_local().endpoint;
  options.credentials = {kAccessKey, kSecretKey, ""};
  options.retry = {5, std::chrono::milliseconds(5), std::chrono::milliseconds(100)};
  return options;
}

std::map<std::string, std::string> dynamodb_local_env(const std::string& table_name) {
  return {{"STORE", "dynamodb"},
          {"DYNAMODB_ENDPOINT", dynamodb_local().endpoint},
          {"TABLE_NAME", table_name},
          {"AWS_REGION", "us-east-1"},
          {"AWS_ACCESS_KEY_ID", kAccessKey},
          {"AWS_SECRET_ACCESS_KEY", kSecretKey}};
}

}  // namespace kefir::test
