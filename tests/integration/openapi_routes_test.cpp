// docs/openapi.yaml against the router: every registered route is documented and every documented operation
// is registered; the binary serves the committed JSON at GET /openapi.json.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "api/openapi.hpp"
#include "app/app.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

using Operation = std::pair<std::string, std::string>;  // (method, path template)

// The router's "{key+}" (the rest of the path) is an ordinary "{key}" in OpenAPI, documented as spanning
// slashes.
std::string openapi_template(std::string pattern) {
  for (auto at = pattern.find("+}"); at != std::string::npos; at = pattern.find("+}")) pattern.erase(at, 1);
  return pattern;
}

std::set<Operation> router_operations() {
  TempDir data_dir;
  http::Router router;
  App app(load_config({{"DATA_DIR", data_dir.str()}}), router);
  std::set<Operation> operations;
  for (const auto& route : router.routes()) operations.emplace(route.method, openapi_template(route.pattern));
  return operations;
}

std::set<Operation> documented_operations(const boost::json::object& document) {
  std::set<Operation> operations;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      static const std::set<std::string> kMethods = {"get",    "put",  "post",   "patch",
                                                     "delete", "head", "options"};
      if (!kMethods.contains(std::string(method))) continue;  // "parameters", "summary"...
      std::string upper(method);
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      operations.emplace(upper, std::string(path));
    }
  }
  return operations;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(OpenApi, DocumentsExactlyTheRoutesTheRouterServes) {
  auto document = boost::json::parse(api::openapi_json()).as_object();
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  auto served = router_operations();
  auto documented = documented_operations(document);
  ASSERT_GT(served.size(), 30u);
  for (const auto& [method, path] : served)
    EXPECT_TRUE(documented.contains({method, path}))
        << method << " " << path << " is served but not documented";
  for (const auto& [method, path] : documented)
    EXPECT_TRUE(served.contains({method, path})) << method << " " << path << " is documented but not served";
}

TEST(OpenApi, PublicRoutesAreDocumentedWithoutSecurity) {
  auto document = boost::json::parse(api::openapi_json()).as_object();
  TempDir data_dir;
  http::Router router;
  App app(load_config({{"DATA_DIR", data_dir.str()}}), router);
  for (const auto& route : router.routes()) {
    std::string method(route.method);
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto* item = document.at("paths").as_object().if_contains(openapi_template(route.pattern));
    if (!item || !item->as_object().contains(method)) continue;  // the test above reports it
    const auto& operation = item->as_object().at(method).as_object();
    bool documented_public = operation.contains("security") && operation.at("security").as_array().empty();
    EXPECT_EQ(documented_public, !route.options.authenticated) << route.method << " " << route.pattern;
  }
}

TEST(OpenApi, ServesTheCommittedJson) {
  ServerProcess server;
  auto response = send({.url = server.base_url() + "/openapi.json"});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_EQ(response.body, read_file(std::string(KEFIR_SOURCE_DIR) + "/docs/openapi.json"));
}

}  // namespace
}  // namespace kefir::test
