#pragma once
// Suites run on both stores (INSTANTIATE_TEST_SUITE_P(OnEachStore, Suite, ::testing::Values("sqlite",
// "dynamodb"))): a real server per test on the parameter's store (a fresh table on DynamoDB Local), signed-in
// users, and the store opened beside the server to look at the items themselves.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "integration/batches_support.hpp"
#include "support/dynamodb_local.hpp"

namespace kefir::test {

class OnEachStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.env = server_env();
    if (GetParam() == "dynamodb") {
      table_ = create_dynamodb_local_table();
      config.env.merge(dynamodb_local_env(table_));
    }
    server_ = std::make_unique<ServerProcess>(config);
  }

  // The suite's own settings of the server, beside the store's.
  virtual std::map<std::string, std::string> server_env() { return {}; }

  User sign_in_user(const std::string& prefix) {
    auto signed_in = sign_in(*server_, unique_email(prefix));
    return {signed_in.user_id, ApiClient(server_->base_url(), signed_in.access_token)};
  }

  std::unique_ptr<store::ItemStore> open_store() {
    if (GetParam() == "dynamodb")
      return std::make_unique<store::DynamoDbItemStore>(dynamodb_local_options(table_), clock_);
    return std::make_unique<store::SqliteItemStore>(server_->data_dir() + "/kefir.db", clock_);
  }

  SystemClock clock_;
  std::string table_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace kefir::test
