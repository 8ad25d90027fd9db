#pragma once
// DynamoDB Local, AWS's own emulator (the jar inside the npm package amplify-dynamodb-simulator), started
// once per test process on a free loopback port the first time a test asks for it, and stopped at exit. It
// runs in memory with one shared database (-sharedDb), so every process of a test sees the same tables
// whatever credentials it signs with.
#include <map>
#include <string>

#include "adapters/dynamodb/dynamodb_item_store.hpp"

namespace kefir::test {

struct DynamoDbLocal {
  std::string endpoint;  // http://127.0.0.1:<port>
};

// Starts the emulator on first use; throws when it cannot (no java, no jar, no answer within a minute).
const DynamoDbLocal& dynamodb_local();

// Creates a table with a fresh name (GSI1, TTL) on the emulator and returns its name.
std::string create_dynamodb_local_table();
// Adapter options for a table on the emulator, with fast retries (the emulator does not throttle).
store::DynamoDbOptions dynamodb_local_options(const std::string& table_name);
// The environment that makes `kefir` use that table (STORE=dynamodb, DYNAMODB_ENDPOINT, TABLE_NAME, AWS_*).
std::map<std::string, std::string> dynamodb_local_env(const std::string& table_name);

}  // namespace kefir::test
