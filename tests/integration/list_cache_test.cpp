// GET /batches keeps serialized pages until the user's partition of the store changes (LIST_CACHE_MB):
// whatever writes, the next list shows it. Two servers on one SQLite file, so a write by another process is
// covered too.
#include <gtest/gtest.h>

#include <set>

#include "support/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/metrics_text.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

namespace kefir::test {
namespace {

std::set<std::string> listed_names(const ApiClient& client, const std::string& query = {}) {
  auto response = client.get("/batches" + query);
  EXPECT_EQ(response.status, 200) << response.body;
  std::set<std::string> names;
  auto body = response.json();
  for (const auto& batch : body.at("batches").as_array())
    names.insert(std::string(batch.at("name").as_string()));
  return names;
}

std::string create_batch(const ApiClient& client, const std::string& name) {
  auto response = client.post("/batches", {{"name", name}, {"stage", "stage1_open"}});
  EXPECT_EQ(response.status, 201) << response.body;
  return std::string(response.json().at("batch").at("batchId").as_string());
}

class ListCache : public ::testing::Test {
 protected:
  ServerConfig on_shared_store() const {
    ServerConfig config;
    // One issuer for both servers: a token of one is good at the other, as behind a load balancer.
    config.env = {{"DATA_DIR", data_.str()}, {"PUBLIC_BASE_URL", "http://kefir.test"}};
    return config;
  }

  // The count of list pages `server` answered with, by result: "kept" or "built".
  static auto list_pages(ServerProcess& server, std::string_view result) {
    auto metrics = ApiClient(server.base_url()).get("/metrics").body;
    return series_value(metrics, "kefir_list_pages_total{result=\"" + std::string(result) + "\"}");
  }

  struct PageCounts {
    double built;
    double kept;
  };
  // Lists `client`'s batches twice, built then kept (both series are there from then on); the counts after.
  static PageCounts keep_list_of(ServerProcess& server, ApiClient& client) {
    listed_names(client);
    listed_names(client);
    return {list_pages(server, "built"), list_pages(server, "kept")};
  }

  // Alice and Bob, each signed in at `server`.
  static std::pair<ApiClient, ApiClient> alice_and_bob(ServerProcess& server) {
    auto alice = sign_in(server, unique_email("alice"));
    auto bob = sign_in(server, unique_email("bob"));
    return {ApiClient(server.base_url(), alice.access_token), ApiClient(server.base_url(), bob.access_token)};
  }

  TempDir data_;
};

TEST_F(ListCache, EveryWriteShowsInTheNextListWhicheverProcessWroteIt) {
  ServerProcess reader(on_shared_store());
  ServerProcess writer(on_shared_store());  // same DATA_DIR: same signing key, same SQLite file
  auto user = sign_in(reader, unique_email("cache"));
  ApiClient via_reader(reader.base_url(), user.access_token);
  ApiClient via_writer(writer.base_url(), user.access_token);

  auto first = create_batch(via_reader, "First");
  EXPECT_EQ(listed_names(via_reader), (std::set<std::string>{"First"}));
  EXPECT_EQ(listed_names(via_reader), (std::set<std::string>{"First"}));  // the kept page

  // Written by the other process: the reader's kept page must not hide it.
  auto second = create_batch(via_writer, "Second");
  EXPECT_EQ(listed_names(via_reader), (std::set<std::string>{"First", "Second"}));

  auto renamed = via_writer.patch("/batches/" + second, {{"name", "Second, renamed"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(listed_names(via_reader), (std::set<std::string>{"First", "Second, renamed"}));

  ASSERT_EQ(via_writer.del("/batches/" + first).status, 200);  // archived: out of the default list
  EXPECT_EQ(listed_names(via_reader), (std::set<std::string>{"Second, renamed"}));
  EXPECT_EQ(listed_names(via_reader, "?status=archived"), (std::set<std::string>{"First"}));

  // And by this process again, after pages were kept at the other versions.
  create_batch(via_reader, "Third");
  EXPECT_EQ(listed_names(via_reader), (std::set<std::string>{"Second, renamed", "Third"}));
}

TEST_F(ListCache, PagesAreKeptPerUserAndQuery) {
  ServerProcess server(on_shared_store());
  auto [as_alice, as_bob] = alice_and_bob(server);
  create_batch(as_alice, "Alice 1");
  create_batch(as_alice, "Alice 2");

  EXPECT_EQ(listed_names(as_alice).size(), 2u);
  EXPECT_TRUE(listed_names(as_bob).empty());  // the same path and query, another user: never Alice's page
  EXPECT_EQ(listed_names(as_alice, "?limit=1"), (std::set<std::string>{"Alice 2"}));
  EXPECT_EQ(listed_names(as_alice).size(), 2u);
  // A request the cache must not answer: bad input is still refused.
  EXPECT_EQ(as_alice.get("/batches?limit=0").status, 400);
  EXPECT_EQ(ApiClient(server.base_url()).get("/batches").status, 401);
}

TEST_F(ListCache, MetricsCountKeptAndBuiltPages) {
  ServerProcess server(on_shared_store());
  auto user = sign_in(server, unique_email("counted"));
  ApiClient client(server.base_url(), user.access_token);
  create_batch(client, "Counted");
  listed_names(client);  // built
  listed_names(client);  // kept
  listed_names(client);  // kept
  create_batch(client, "Retires the kept page");
  listed_names(client);  // built
  auto metrics = ApiClient(server.base_url()).get("/metrics").body;
  EXPECT_EQ(series_value(metrics, R"(kefir_list_pages_total{result="built"})"), 2);
  EXPECT_EQ(series_value(metrics, R"(kefir_list_pages_total{result="kept"})"), 2);
}

// Pages are kept per partition: what other users write leaves my kept page be; what I write retires it.
TEST_F(ListCache, OtherUsersWritesKeepMyPage) {
  ServerProcess server(on_shared_store());
  auto [as_alice, as_bob] = alice_and_bob(server);
  auto mine = create_batch(as_alice, "Mine");
  auto theirs = create_batch(as_bob, "Theirs");
  const auto [built, kept] = keep_list_of(server, as_alice);
  auto pages = [&](std::string_view result) { return list_pages(server, result); };

  ASSERT_EQ(as_bob.patch("/batches/" + theirs, {{"name", "Theirs, renamed"}}).status, 200);
  ASSERT_EQ(as_bob.post("/batches/" + theirs + "/events", {{"type", "note"}, {"description", "x"}}).status,
            201);
  create_batch(as_bob, "Theirs too");
  EXPECT_EQ(listed_names(as_alice), (std::set<std::string>{"Mine"}));
  EXPECT_EQ(pages("kept"), kept + 1);
  EXPECT_EQ(pages("built"), built);

  ASSERT_EQ(as_alice.patch("/batches/" + mine, {{"name", "Mine, renamed"}}).status, 200);
  EXPECT_EQ(listed_names(as_alice), (std::set<std::string>{"Mine, renamed"}));
  EXPECT_EQ(pages("built"), built + 1);
}

// Pages are kept per kind of item too: my own writes of anything but batches (an event, and the change-log
// entry it appends in my partition) leave my kept list of batches be.
TEST_F(ListCache, MyWritesOfOtherKindsKeepMyListOfBatches) {
  ServerProcess server(on_shared_store());
  auto user = sign_in(server, unique_email("events"));
  ApiClient client(server.base_url(), user.access_token);
  auto batch = create_batch(client, "Kept");
  const auto [built, kept] = keep_list_of(server, client);
  auto pages = [&](std::string_view result) { return list_pages(server, result); };

  ASSERT_EQ(client.post("/batches/" + batch + "/events", {{"type", "note"}, {"description", "x"}}).status,
            201);
  EXPECT_EQ(listed_names(client), (std::set<std::string>{"Kept"}));
  EXPECT_EQ(pages("kept"), kept + 1);
  EXPECT_EQ(pages("built"), built);

  create_batch(client, "New");
  EXPECT_EQ(listed_names(client), (std::set<std::string>{"Kept", "New"}));
  EXPECT_EQ(pages("built"), built + 1);
}

TEST_F(ListCache, OffBuildsEveryPage) {
  auto config = on_shared_store();
  config.env["LIST_CACHE_MB"] = "0";
  ServerProcess server(config);
  auto user = sign_in(server, unique_email("nocache"));
  ApiClient client(server.base_url(), user.access_token);
  create_batch(client, "Only");
  EXPECT_EQ(listed_names(client), (std::set<std::string>{"Only"}));
  EXPECT_EQ(listed_names(client), (std::set<std::string>{"Only"}));
}

}  // namespace
}  // namespace kefir::test
