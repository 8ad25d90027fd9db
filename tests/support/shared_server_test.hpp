#pragma once
// A suite whose tests share one real `kefir serve` in the default configuration, started before the suite's
// first test and stopped after its last, with an anonymous client for it.
#include <gtest/gtest.h>

#include <memory>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace kefir::test {

class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ServerProcess>(); }
  static void TearDownTestSuite() { server_.reset(); }

  inline static std::unique_ptr<ServerProcess> server_;
  ApiClient api{server_->base_url()};
};

}  // namespace kefir::test
