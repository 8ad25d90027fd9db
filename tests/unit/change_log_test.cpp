// The change log's pure parts: sync tokens (round trip, tampered, another user's, too old), which writes are
// logged as which records, and the keys that keep entries in commit order.
#include <gtest/gtest.h>

#include <limits>

#include "domain/change_log.hpp"
#include "domain/event.hpp"
#include "domain/keys.hpp"

namespace kefir::changes {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = from_epoch_millis(1'780'000'000'000);

TEST(SyncToken, RoundTripsUserSequenceAndIssueTime) {
  TokenCodec codec("sync-key");
  auto token = codec.encode({"alice", 42, kNow - 1h});
  auto decoded = codec.decode(token, "alice", kNow);
  ASSERT_TRUE(decoded.position);
  EXPECT_EQ(decoded.position->user_id, "alice");
  EXPECT_EQ(decoded.position->seq, 42u);
  EXPECT_EQ(decoded.position->issued, kNow - 1h);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
            std::string::npos)
      << "safe in a query string";
}

TEST(SyncToken, RefusesEveryChangedCharacter) {
  TokenCodec codec("sync-key");
  auto token = codec.encode({"alice", 7, kNow});
  for (std::size_t i = 0; i < token.size(); ++i) {
    auto changed = token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    auto decoded = codec.decode(changed, "alice", kNow);
    EXPECT_FALSE(decoded.position) << "position " << i;
    EXPECT_EQ(decoded.problem, TokenProblem::invalid);
  }
  for (std::string_view junk : {"", ".", "abc", "a.b.c", "x.y"})
    EXPECT_FALSE(codec.decode(junk, "alice", kNow).position) << junk;
}

TEST(SyncToken, IsRefusedForAnotherUserAndUnderAnotherKey) {
  auto token = TokenCodec("sync-key").encode({"alice", 7, kNow});
  EXPECT_FALSE(TokenCodec("sync-key").decode(token, "bob", kNow).position);
  EXPECT_FALSE(TokenCodec("other-key").decode(token, "alice", kNow).position);
}

TEST(SyncToken, IsTooOldAfterThirtyDays) {
  TokenCodec codec("sync-key");
  auto month = codec.encode({"alice", 7, kNow - kTokenLifetime});
  EXPECT_TRUE(codec.decode(month, "alice", kNow).position) << "30 days exactly still count";
  auto older = codec.encode({"alice", 7, kNow - kTokenLifetime - 1ms});
  auto decoded = codec.decode(older, "alice", kNow);
  EXPECT_FALSE(decoded.position);
  EXPECT_EQ(decoded.problem, TokenProblem::too_old);
  EXPECT_LT(kTokenLifetime, kEntryLifetime) << "a token never needs an expired entry";
}

TEST(ChangedRecord, NamesUserRecordsAndIgnoresEverythingElse) {
  auto batch_key = keys::batch("alice", "b-1");
  store::Item batch_item{{"PK", batch_key.pk}, {"SK", batch_key.sk}};
  auto created = changed_record(store::Put{batch_item, store::Condition::item_absent()}, "alice");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->user_id, "alice");
  EXPECT_EQ(created->record.kind, Kind::batch);
  EXPECT_EQ(created->record.id, "b-1");
  EXPECT_EQ(created->record.op, Op::create);
  EXPECT_EQ(
      changed_record(store::Put{batch_item, store::Condition::equals("version", 1)}, "alice")->record.op,
      Op::update);

  auto device = changed_record(store::Delete{keys::device("bob", "phone"), {}}, "alice");
  ASSERT_TRUE(device);
  EXPECT_EQ(device->user_id, "bob") << "a device moved away is the old owner's change";
  EXPECT_EQ(device->record.kind, Kind::device);
  EXPECT_EQ(device->record.op, Op::remove);

  store::Key event_key{keys::events_pk("b-1"), keys::event_sk("2026-01-02T03:04:05.000Z", "e-1")};
  auto event = changed_record(store::UpdateItem{event_key, {}, {}}, "alice");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->user_id, "alice");
  EXPECT_EQ(event->record.kind, Kind::event);
  EXPECT_EQ(event->record.id, "e-1");
  EXPECT_EQ(event->record.batch_id, "b-1");

  EXPECT_EQ(changed_record(store::UpdateItem{keys::reminder("alice", "r-1"), {}, {}}, "")->record.kind,
            Kind::reminder);
  EXPECT_EQ(changed_record(store::Delete{keys::photo("alice", "users/alice/x.jpg"), {}}, "")->record.id,
            "users/alice/x.jpg");
  EXPECT_FALSE(changed_record(store::Check{batch_key, store::Condition::item_exists()}, "alice"));
  EXPECT_FALSE(
      changed_record(store::Put{{{"PK", keys::push_token_claim("ExpoX").pk}, {"SK", "CLAIM"}}, {}}, "alice"));
  EXPECT_FALSE(changed_record(store::Delete{keys::user_profile("alice"), {}}, "alice"));
  EXPECT_FALSE(changed_record(store::Delete{keys::change_counter("alice"), {}}, "alice"));
}

TEST(ChangedRecord, AReadingIsItsBatchOwnersAndItsMinutesFirstPostCreatesIt) {
  const auto key = keys::reading("b-1", "2026-01-15T10:07Z", "s-1");
  auto first = changed_record(store::UpdateItem{key, {}, store::Condition::item_absent()}, "alice");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->user_id, "alice");
  EXPECT_EQ(first->record.kind, Kind::reading);
  EXPECT_EQ(first->record.id, "2026-01-15T10:07Z#s-1");
  EXPECT_EQ(first->record.batch_id, "b-1");
  EXPECT_EQ(first->record.op, Op::create);
  EXPECT_EQ(changed_record(store::UpdateItem{key, {}, std::nullopt}, "alice")->record.op, Op::update)
      << "a later post of the minute is merged into it";
  EXPECT_FALSE(changed_record(store::UpdateItem{keys::reading_rollup("b-1", "2026-01-15T10Z", "s-1"), {}, {}},
                              "alice"))
      << "roll-ups are derived: not records of the feed";
  EXPECT_EQ(table_name(Kind::reading), "readings");
}

TEST(ChangeEntry, KeepsItsRecordsAndSortsInCommitOrder) {
  std::vector<Record> records{{Kind::event, "e-1", "b-1", {"BATCH#b-1", "EVENT#t#e-1"}, Op::create},
                              {Kind::batch, "b-1", "", keys::batch("alice", "b-1"), Op::remove}};
  auto append = entry_append("alice", records, kNow);
  EXPECT_EQ(append.counter.sk, keys::change_counter("alice").sk);
  // As the store numbers it (ItemStore::transact_append).
  auto entry = append.entry;
  entry["SK"] = store::log_sort_key(append.sort_prefix, 9);
  entry["seq"] = 9;
  EXPECT_EQ(store::key_of(entry).sk, keys::change_sk(9));
  EXPECT_EQ(entry_seq(entry), 9u);
  EXPECT_EQ(entry_time(entry), kNow);
  EXPECT_EQ(json_int(entry, "TTL"), epoch_seconds(kNow + kEntryLifetime));
  auto read = entry_records(entry);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].kind, Kind::event);
  EXPECT_EQ(read[0].batch_id, "b-1");
  EXPECT_EQ(read[0].key.sk, "EVENT#t#e-1");
  EXPECT_EQ(read[0].op, Op::create);
  EXPECT_EQ(read[1].op, Op::remove);
  EXPECT_EQ(read[1].key.pk, keys::user_pk("alice"));

  EXPECT_LT(keys::change_sk(9), keys::change_sk(10));
  EXPECT_LT(keys::change_sk(99999), keys::change_sk(100000));
  EXPECT_LT(keys::change_sk(1), keys::change_sk(std::numeric_limits<std::uint64_t>::max()));
}

}  // namespace
}  // namespace kefir::changes
