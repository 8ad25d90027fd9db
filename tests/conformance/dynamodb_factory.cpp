#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "conformance/store_factories.hpp"
#include "support/dynamodb_local.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

// Why DynamoDB Local cannot run here, or "" when it can (decided without starting it).
std::string missing_prerequisite() {
  auto jar = std::filesystem::path(KEFIR_SOURCE_DIR) /
             "tests/node/node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar";
  if (!std::filesystem::exists(jar)) return "DynamoDB Local is not installed (npm ci in tests/node)";
  std::istringstream path(env_or("PATH", ""));
  for (std::string dir; std::getline(path, dir, ':');) {
    if (!dir.empty() && std::filesystem::exists(std::filesystem::path(dir) / "java")) return {};
  }
  return "java is not installed (openjdk-17-jre-headless)";
}

// One table per test process, created on first use: every test keeps to its own key prefix.
const std::string& conformance_table() {
  static const std::string table = create_dynamodb_local_table();
  return table;
}

const std::string kMissing = missing_prerequisite();

const StoreFactoryRegistration dynamodb_registration{{
    "dynamodb",
    [](const Clock& clock) -> std::unique_ptr<store::ItemStore> {
      return std::make_unique<store::DynamoDbItemStore>(dynamodb_local_options(conformance_table()), clock);
    },
    kMissing.empty(),
    kMissing,
}};

}  // namespace
}  // namespace kefir::test
