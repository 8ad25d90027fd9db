// The change feed (issue 17) over HTTP, on both stores: GET /sync gives every change of the user's batches,
// events, reminders, devices and photos after a token, in commit order, with tombstones; resuming from any
// token gives each change once; another user's or a tampered token is a 400, a 31-day-old one a 410.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/context.hpp"
#include "auth/token_service.hpp"
#include "domain/change_log.hpp"
#include "integration/batches_support.hpp"
#include "integration/sync_support.hpp"
#include "support/dynamodb_local.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace kefir::test {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kTables = {"batches", "events", "reminders", "devices", "photos", "readings"};

std::map<std::string, std::string> store_env(const std::string& store) {
  if (store == "dynamodb") return dynamodb_local_env(create_dynamodb_local_table());
  return {};
}

json::object pull(const ApiClient& api, const std::string& query = "") {
  auto response = api.get("/sync" + query);
  EXPECT_EQ(response.status, 200) << query << " " << response.body;
  if (response.status != 200) return {};
  return response.json().as_object();
}

const json::array& changes_of(const json::object& page, const std::string& table, const std::string& which) {
  return page.at("changes").at(table).at(which).as_array();
}

std::set<std::string> ids_of(const json::array& records) {
  std::set<std::string> ids;
  for (const auto& record : records) ids.insert(record.is_string() ? text(record) : text(record.at("id")));
  return ids;
}

std::set<std::string> ids_in(const json::object& page, const std::string& table, const std::string& which) {
  return ids_of(changes_of(page, table, which));
}

// A page as comparable text: every table's created/updated/deleted ids, sorted.
std::string signature(const json::object& page) {
  std::string out;
  for (const auto& table : kTables)
    for (const char* which : {"created", "updated", "deleted"})
      for (const auto& id : ids_in(page, table, which)) out += table + ":" + which + ":" + id + " ";
  return out;
}

json::object register_device(const ApiClient& api, const std::string& device_id) {
  auto response = api.post(
      "/me/devices",
      {{"deviceId", device_id}, {"platform", "android"}, {"token", "ExponentPushToken[" + device_id + "]"}});
  EXPECT_TRUE(response.status == 200 || response.status == 201) << response.body;
  return response.json().at("device").as_object();
}

// A token of the server's own signing key, issued when the test says.
std::string forged_token(const ServerProcess& server, const std::string& user_id, std::uint64_t seq,
                         TimePoint issued) {
  std::ifstream in(std::filesystem::path(server.data_dir()) / auth::kDevKeyFileName);
  std::stringstream pem;
  pem << in.rdbuf();
  SystemClock clock;
  auth::TokenService tokens(pem.str(), server.base_url(), "kefir-app", clock);
  AppContext ctx;
  ctx.master_secret = tokens.master_secret();
  return changes::TokenCodec(ctx.derive_key("sync-token")).encode({user_id, seq, issued});
}

TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

class SyncApi : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.env = store_env(GetParam());
    server_ = std::make_unique<ServerProcess>(config);
  }
  User sign_in_user(const std::string& prefix = "sync") {
    auto signed_in = sign_in(*server_, unique_email(prefix));
    return {signed_in.user_id, ApiClient(server_->base_url(), signed_in.access_token)};
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_P(SyncApi, WithoutATokenGivesEverythingAndAfterItEveryChangeWithTombstones) {
  auto user = sign_in_user();
  auto kept = text(create_batch(user.api, {{"name", "Kept"}}).at("batchId"));
  auto dropped = text(create_batch(user.api, {{"name", "Dropped"}}).at("batchId"));
  auto note =
      user.api.post("/batches/" + kept + "/events", {{"type", "observation"}, {"description", "fizzy"}});
  ASSERT_EQ(note.status, 201) << note.body;
  auto note_id = text(note.json().at("event").at("eventId"));
  register_device(user.api, "phone-1");

  auto everything = pull(user.api);
  EXPECT_EQ(ids_in(everything, "batches", "created"), (std::set<std::string>{kept, dropped}));
  EXPECT_TRUE(ids_in(everything, "events", "created").contains(note_id));
  EXPECT_EQ(ids_in(everything, "events", "created").size(), 3u) << "two 'Batch started' notes and one entry";
  EXPECT_EQ(ids_in(everything, "devices", "created"), std::set<std::string>{"phone-1"});
  EXPECT_FALSE(everything.at("more").as_bool());
  auto token = text(everything.at("next"));

  auto nothing = pull(user.api, "?since=" + token);
  EXPECT_EQ(signature(nothing), "") << "nothing changed since";
  EXPECT_FALSE(nothing.at("more").as_bool());

  ASSERT_EQ(user.api.patch("/batches/" + kept, {{"name", "Renamed"}, {"stage", "stage2_bottled"}}).status,
            200);
  ASSERT_EQ(user.api.del("/batches/" + dropped + "?permanent=true").status, 204);
  ASSERT_EQ(user.api.del("/batches/" + kept + "/events/" + note_id).status, 204);
  ASSERT_EQ(user.api.del("/me/devices/phone-1").status, 204);
  auto added = text(create_batch(user.api, {{"name", "New"}}).at("batchId"));

  auto changed = pull(user.api, "?since=" + token);
  EXPECT_EQ(ids_in(changed, "batches", "updated"), std::set<std::string>{kept});
  EXPECT_EQ(changes_of(changed, "batches", "updated").at(0).at("name"), "Renamed") << "the current state";
  EXPECT_EQ(ids_in(changed, "batches", "deleted"), std::set<std::string>{dropped});
  EXPECT_EQ(ids_in(changed, "batches", "created"), std::set<std::string>{added});
  EXPECT_EQ(ids_in(changed, "events", "deleted"), std::set<std::string>{note_id});
  EXPECT_EQ(ids_in(changed, "events", "created").size(), 2u) << "the stage change and the new batch's note";
  EXPECT_EQ(ids_in(changed, "devices", "deleted"), std::set<std::string>{"phone-1"});
  EXPECT_FALSE(changed.at("more").as_bool());

  auto after = pull(user.api, "?since=" + text(changed.at("next")));
  EXPECT_EQ(signature(after), "") << "the next token starts after these changes";
}

TEST_P(SyncApi, ResumingFromAnyTokenGivesEveryChangeOnceInCommitOrder) {
  auto user = sign_in_user();
  auto start = text(pull(user.api).at("next"));
  std::vector<std::string> batches;
  for (int i = 0; i < 4; ++i) batches.push_back(text(create_batch(user.api).at("batchId")));
  ASSERT_EQ(user.api.patch("/batches/" + batches[0], {{"name", "Again"}}).status, 200);
  ASSERT_EQ(
      user.api.post("/batches/" + batches[2] + "/events", {{"type", "observation"}, {"description", "x"}})
          .status,
      201);
  ASSERT_EQ(user.api.del("/batches/" + batches[1] + "?permanent=true").status, 204);
  register_device(user.api, "tablet");
  ASSERT_EQ(user.api.patch("/batches/" + batches[0], {{"notes", "third change of the same batch"}}).status,
            200);
  const std::size_t commits = 9;

  // One entry per page: the log itself, in order, with the token before each entry.
  std::vector<std::string> log, tokens{start};
  for (std::size_t i = 0; i <= commits; ++i) {
    auto page = pull(user.api, "?limit=1&since=" + tokens.back());
    if (i == commits) {
      EXPECT_EQ(signature(page), "") << "exactly " << commits << " commits";
      EXPECT_FALSE(page.at("more").as_bool());
      break;
    }
    EXPECT_NE(signature(page), "") << "commit " << i;
    EXPECT_EQ(page.at("more").as_bool(), i + 1 < commits) << "commit " << i;
    log.push_back(signature(page));
    tokens.push_back(text(page.at("next")));
  }
  ASSERT_EQ(log.size(), commits);
  EXPECT_TRUE(log[0].starts_with("batches:created:" + batches[0] + " events:created:")) << log[0];
  EXPECT_TRUE(log[4].starts_with("batches:updated:" + batches[0] + " ")) << "commit order: " << log[4];

  // From every token, one entry at a time and two at a time: the same changes, none twice, none missing.
  for (std::size_t from = 0; from <= commits; ++from) {
    std::string token = tokens[from];
    for (std::size_t i = from; i < commits; ++i) {
      auto page = pull(user.api, "?limit=1&since=" + token);
      ASSERT_EQ(signature(page), log[i]) << "from token " << from << ", commit " << i;
      token = text(page.at("next"));
    }
    EXPECT_EQ(signature(pull(user.api, "?since=" + token)), "");

    std::set<std::string> seen;
    token = tokens[from];
    for (int pages = 0; pages < 20; ++pages) {
      auto page = pull(user.api, "?limit=2&since=" + token);
      for (const auto& table : kTables)
        for (const char* which : {"created", "updated", "deleted"})
          for (const auto& id : ids_in(page, table, which)) seen.insert(table + ":" + id);
      token = text(page.at("next"));
      if (!page.at("more").as_bool()) break;
    }
    std::set<std::string> expected;
    for (std::size_t i = from; i < commits; ++i) {
      std::istringstream words(log[i]);
      for (std::string word; words >> word;)
        expected.insert(word.substr(0, word.find(':')) + ":" + word.substr(word.rfind(':') + 1));
    }
    EXPECT_EQ(seen, expected) << "from token " << from;
  }
}

// A client's copy of the user's data, kept by pulls as the feed says: tombstones remove, a batch's tombstone
// its events, reminders and photos with it.
struct Replica {
  std::map<std::string, std::map<std::string, json::object>> tables;
  std::string token;

  void apply(const json::object& page) {
    for (const auto& table : kTables) {
      for (const char* which : {"created", "updated"})
        for (const auto& record : changes_of(page, table, which))
          tables[table][text(record.at("id"))] = record.as_object();
      for (const auto& id : changes_of(page, table, "deleted")) {
        tables[table].erase(text(id));
        if (table != "batches") continue;
        for (const char* child : {"events", "reminders", "photos"})
          std::erase_if(tables[child], [&](const auto& entry) { return entry.second.at("batchId") == id; });
      }
    }
    token = text(page.at("next"));
  }
  // Readable in a failure message: one line per record.
  std::string dump() const {
    std::string out;
    for (const auto& [table, records] : tables)
      for (const auto& [id, record] : records) out += table + " " + json::serialize(record) + "\n";
    return out;
  }
  void pull_all(const ApiClient& api) {
    for (int pages = 0; pages < 100; ++pages) {
      auto page = pull(api, "?limit=3&since=" + token);
      apply(page);
      if (!page.at("more").as_bool()) return;
    }
    ADD_FAILURE() << "the feed never ended";
  }
};

Replica everything_now(const ApiClient& api) {
  Replica fresh;
  fresh.apply(pull(api));
  return fresh;
}

TEST_P(SyncApi, AnOfflineClientAndAnOnlineOneEndWithTheSameStateAndAConflictCarriesTheServerVersion) {
  auto user = sign_in_user();
  auto contested = text(create_batch(user.api, {{"name", "Contested"}}).at("batchId"));
  auto removed = text(create_batch(user.api, {{"name", "Removed online"}}).at("batchId"));
  auto quiet = text(create_batch(user.api, {{"name", "Quiet"}}).at("batchId"));
  register_device(user.api, "old-phone");

  Replica phone = everything_now(user.api);
  Replica laptop = everything_now(user.api);
  ASSERT_EQ(phone.tables["batches"].size(), 3u);

  // Online, on the laptop, through the REST API.
  ASSERT_EQ(user.api.patch("/batches/" + contested, {{"name", "Renamed online"}}).status, 200);
  ASSERT_EQ(user.api.del("/batches/" + removed + "?permanent=true").status, 204);
  ASSERT_EQ(
      user.api.post("/batches/" + quiet + "/events", {{"type", "observation"}, {"description", "online"}})
          .status,
      201);

  // Offline, on the phone, pushed later.
  UuidV7Generator batch_ids;
  auto made_offline = batch_ids.next(epoch_millis(now()));
  auto offline_note = uuid_v4();
  json::object push{
      {"lastPulledAt", phone.token},
      {"changes",
       {{"batches",
         {{"created",
           json::array{{{"id", made_offline}, {"name", "Made offline"}, {"stage", "stage1_open"}}}},
          {"updated", json::array{{{"id", contested}, {"notes", "edited offline"}},
                                  {{"id", quiet}, {"name", "Quiet, renamed"}}}}}},
        {"events",
         {{"created", json::array{{{"id", offline_note},
                                   {"batchId", made_offline},
                                   {"type", "observation"},
                                   {"timestamp", "2026-03-01T10:00:00.000Z"},
                                   {"description", "offline"}}}}}},
        {"devices", {{"deleted", json::array{"old-phone"}}}}}}};
  auto pushed = user.api.post("/sync", push);
  const auto servers_version = only_conflict(pushed, "batches", contested);
  ASSERT_FALSE(servers_version.empty());
  EXPECT_EQ(servers_version.at("name"), "Renamed online") << "the server's version";
  EXPECT_EQ(pushed.json().at("applied").to_number<int>(), 4) << "the others were applied";

  // Pushing the same again: what is already as pushed is no conflict and is not applied twice.
  auto again = user.api.post("/sync", push);
  ASSERT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.json().at("conflicts").as_array().size(), 1u) << again.body;
  EXPECT_EQ(again.json().at("applied").to_number<int>(), 0) << again.body;

  // The phone takes the server's version of the conflict and pulls: another client's changes came before its
  // own, so `next` did not skip them.
  phone.token = text(pushed.json().at("next"));
  phone.pull_all(user.api);
  laptop.pull_all(user.api);
  auto server = everything_now(user.api);
  EXPECT_EQ(phone.dump(), server.dump());
  EXPECT_EQ(laptop.dump(), server.dump());
  EXPECT_EQ(server.tables["batches"].at(quiet).at("name"), "Quiet, renamed");
  EXPECT_EQ(server.tables["batches"].at(contested).at("name"), "Renamed online");
  EXPECT_FALSE(server.tables["batches"].contains(removed));
  EXPECT_TRUE(server.tables["events"].contains(offline_note));
  EXPECT_TRUE(server.tables["devices"].empty());

  // Nothing in between now: the phone's next push moves its token past its own change, so it does not pull
  // it back, and the laptop sees it.
  auto quiet_push = user.api.post(
      "/sync",
      {{"lastPulledAt", phone.token},
       {"changes", {{"batches", {{"updated", json::array{{{"id", quiet}, {"name", "Quiet again"}}}}}}}}});
  ASSERT_EQ(quiet_push.status, 200) << quiet_push.body;
  EXPECT_EQ(signature(pull(user.api, "?since=" + text(quiet_push.json().at("next")))), "");
  laptop.pull_all(user.api);
  EXPECT_EQ(laptop.tables["batches"].at(quiet).at("name"), "Quiet again");
}

TEST_P(SyncApi, AnInvalidPushAppliesNothing) {
  auto user = sign_in_user();
  auto token = text(pull(user.api).at("next"));
  auto batch = text(create_batch(user.api).at("batchId"));
  auto bad =
      user.api.post("/sync", {{"lastPulledAt", token},
                              {"changes",
                               {{"batches",
                                 {{"updated", json::array{{{"id", batch}, {"name", "Fine"}},
                                                          {{"id", batch}, {"stage", "not-a-stage"}}}}}}}}});
  EXPECT_EQ(problem_fields(bad), std::vector<std::string>{"changes.batches.updated[1].stage"});
  EXPECT_EQ(problem_fields(
                user.api.post("/sync", {{"lastPulledAt", token}, {"changes", {{"photos", json::object{}}}}})),
            std::vector<std::string>{"changes.photos"});
  EXPECT_EQ(problem_fields(user.api.post("/sync", {{"lastPulledAt", "forged"}, {"changes", json::object{}}})),
            std::vector<std::string>{"lastPulledAt"});
  auto batches = list_all(user.api, "/batches", "batches", 10);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].at("name"), "Test batch") << "nothing applied";
}

TEST_P(SyncApi, AnotherUsersOrATamperedTokenIsRefusedAndAMonthOldOneIsTooOld) {
  auto alice = sign_in_user("alice");
  auto bob = sign_in_user("bob");
  auto token = text(pull(alice.api).at("next"));

  auto foreign = bob.api.get("/sync?since=" + token);
  EXPECT_EQ(problem_fields(foreign), std::vector<std::string>{"since"});
  auto forged = alice.api.get("/sync?since=" + tampered(token, 3));
  EXPECT_EQ(problem_fields(forged), std::vector<std::string>{"since"});
  EXPECT_EQ(problem_fields(alice.api.get("/sync?limit=1001&since=" + token)),
            std::vector<std::string>{"limit"});

  auto recent = forged_token(*server_, alice.user_id, 0, now() - 29 * 24h);
  EXPECT_EQ(alice.api.get("/sync?since=" + recent).status, 200) << "29 days old: still good";
  auto old = forged_token(*server_, alice.user_id, 0, now() - 31 * 24h);
  auto refused = alice.api.get("/sync?since=" + old);
  EXPECT_EQ(refused.status, 410) << refused.body;
  EXPECT_EQ(error_code(refused), "SYNC_TOO_OLD");
  EXPECT_NE(std::string(refused.json().at("error").as_string()).find("without since"), std::string::npos)
      << "tells the client to read everything again: " << refused.body;
}

INSTANTIATE_TEST_SUITE_P(OnEachStore, SyncApi, ::testing::Values("sqlite", "dynamodb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace kefir::test
