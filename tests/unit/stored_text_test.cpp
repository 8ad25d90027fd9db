// List pages read stored items as text (issue 19): a batch or event decoded from its text without a DOM is
// the one decoded from the item, and the JSON spliced from the text is byte for byte what the API writes for
// the decoded value — for every shape of document, including those the splice must hand back to the decoder.
#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <vector>

#include "domain/api_json.hpp"
#include "domain/batch.hpp"
#include "domain/event.hpp"
#include "util/stored_json.hpp"

namespace kefir::domain {
namespace {

// Characters that need escapes, multi-byte UTF-8 and JSON's own punctuation, mixed into ordinary text.
std::string random_text(std::mt19937& random, std::size_t max_length) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", " ", "fig", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f",
      "é", "€", "🍋", "{",   "}",  "[",  "]", ",",  ":",  "\\\"", "null", "\"key\":"};
  std::string out;
  const auto length = std::uniform_int_distribution<std::size_t>(0, max_length)(random);
  while (out.size() < length) out += kPieces[random() % kPieces.size()];
  return out;
}

TimePoint random_time(std::mt19937& random) {
  return TimePoint{} + std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
                           946684800000, 4102444799999)(random));  // 2000-2099
}

template <typename T>
std::optional<T> maybe(std::mt19937& random, T value) {
  if (random() % 2) return value;
  return std::nullopt;
}

Batch random_batch(std::mt19937& random) {
  Batch batch;
  batch.batch_id = "0190f0a4-4c1b-7d1e-9a6b-" + std::to_string(random() % 1000000000000);
  batch.user_id = random_text(random, 12);
  batch.name = random_text(random, 40);
  batch.kind = random() % 2 ? "milk" : "water";
  batch.stage = random() % 2 ? std::string(kStageOpen) : std::string(kStageBottled);
  batch.status = std::vector<std::string>{"active", "in_fridge", "ready", "archived"}[random() % 4];
  batch.start_date = random_time(random);
  batch.target_duration_hours = maybe<std::int64_t>(random, 1 + random() % 720);
  const double temperatures[] = {22, 22.5, 18.25, 39.9, 10.1, 0.1 + 0.2 + 20, 27.333333333333332};
  batch.temperature_c = maybe(random, temperatures[random() % std::size(temperatures)]);
  batch.water_volume_ml = maybe<std::int64_t>(random, 1 + random() % 100000);
  batch.sugar_type = maybe(random, random_text(random, 10));
  batch.sugar_amount_g = maybe(random, random() % 2 ? 60.0 : 12.75);
  for (auto n = random() % 4; n > 0; --n) batch.fruits.push_back(random_text(random, 8));
  batch.bottle_count = maybe<std::int64_t>(random, random() % 200);
  batch.bottle_volume_ml = maybe<std::int64_t>(random, 1 + random() % 5000);
  batch.stage2_start_date = maybe(random, random_time(random));
  batch.stage2_target_duration_hours = maybe<std::int64_t>(random, 1 + random() % 720);
  batch.notes = maybe(random, random_text(random, 200));
  batch.is_public = random() % 2;
  batch.public_note = maybe(random, random_text(random, 30));
  batch.safe_range = maybe(random, readings::SafeRange{18, 27.5});
  for (auto n = random() % 3; n > 0; --n)
    batch.photo_keys.push_back("users/u/batches/b/" + random_text(random, 6));
  batch.version = 1 + static_cast<std::int64_t>(random() % 1000);
  batch.created_at = random_time(random);
  batch.updated_at = random_time(random);
  batch.archived_at = maybe(random, random_time(random));
  return batch;
}

Event random_event(std::mt19937& random) {
  Event event;
  event.event_id = "0190f0a5-0000-7000-8000-" + std::to_string(random() % 1000000000000);
  event.batch_id = "0190f0a4-4c1b-7d1e-9a6b-3c2d1e0f9a8b";
  event.user_id = "alice";
  event.type = random() % 2 ? "note" : "measurement";
  event.timestamp = random_time(random);
  event.description = random_text(random, 100);
  if (random() % 2) {
    event.metadata["ph"] = 3.4;
    event.metadata[random_text(random, 6)] = random_text(random, 20);
    event.metadata["nested"] = json::object{{"list", json::array{1, "two", nullptr, true, 2.5e-7}}};
  }
  event.photo_key = maybe(random, "photos/" + random_text(random, 10));
  event.created_at = random_time(random);
  return event;
}

// What a list page holds after "[" once the item is appended: spliced from its text, or decoded from its
// item.
template <typename Append>
std::string after_bracket(Append append) {
  std::string out = "[";
  append(out);
  return out;
}
std::string spliced_batch(std::string_view stored) {
  return after_bracket([&](std::string& out) { append_stored_batch_json(out, stored); });
}
std::string decoded_batch(std::string_view stored) {
  return after_bracket(
      [&](std::string& out) { append_json(out, batch_from_item(json::parse(stored).as_object())); });
}
std::string spliced_event(std::string_view stored) {
  return after_bracket([&](std::string& out) { append_stored_event_json(out, stored); });
}
std::string decoded_event(std::string_view stored) {
  return after_bracket(
      [&](std::string& out) { append_json(out, event_from_item(json::parse(stored).as_object())); });
}

TEST(StoredText, ABatchDecodedFromItsTextIsTheOneDecodedFromItsItem) {
  std::mt19937 random(19);
  for (int i = 0; i < 300; ++i) {
    auto batch = random_batch(random);
    auto stored = json::serialize(to_item(batch));
    auto from_text = batch_from_stored(stored);
    ASSERT_TRUE(from_text);
    EXPECT_EQ(to_json(*from_text), to_json(batch_from_item(to_item(batch)))) << stored;
    EXPECT_EQ(to_json(*from_text), to_json(batch)) << stored;
  }
}

TEST(StoredText, AnEventDecodedFromItsTextIsTheOneDecodedFromItsItem) {
  std::mt19937 random(20);
  for (int i = 0; i < 300; ++i) {
    auto event = random_event(random);
    auto stored = json::serialize(to_item(event));
    auto from_text = event_from_stored(stored);
    ASSERT_TRUE(from_text);
    EXPECT_EQ(to_json(*from_text), to_json(event)) << stored;
    EXPECT_EQ(from_text->user_id, event.user_id);
  }
}

TEST(StoredText, TextThatIsNotAJsonObjectDecodesToNothing) {
  for (std::string_view text : {"", "[]", "\"x\"", "{\"a\":1", "{\"a\":1}x", "nul", "{\"a\":[1,}"}) {
    EXPECT_FALSE(batch_from_stored(text)) << text;
    EXPECT_FALSE(event_from_stored(text)) << text;
  }
}

// The forms a stored item's text takes: as to_item writes it (the API text held, less its nulls), as the
// writer before apiText wrote it (no stamp), with every null written (the writer of stop 32), with an
// attribute set in place after the keys, and with its attributes in another order (DynamoDB returns them in
// its own).
std::string older_writers_text(const store::Item& item) {
  store::Item older = item;
  older.erase(api_json::kApiTextAttribute);
  return json::serialize(older);
}
template <typename Value>
std::string text_with_every_null(const store::Item& item, const Value& value) {
  std::string api_text;
  append_json(api_text, value);
  const auto api = json::parse(api_text);
  store::Item with_nulls{{api_json::kApiTextAttribute, item.at(api_json::kApiTextAttribute)}};
  for (const auto& member : api.as_object())
    with_nulls.emplace(member.key(), item.contains(member.key()) ? item.at(member.key()) : nullptr);
  for (const auto& member : item) with_nulls.emplace(member.key(), member.value());
  return json::serialize(with_nulls);
}
// A field set by an update in place: a store adds an attribute the item did not have after the others.
std::string set_in_place_text(const store::Item& item, std::string_view field) {
  store::Item set = item;
  set[field] = "set later";
  return json::serialize(set);
}
std::string reordered_text(const store::Item& item) {
  store::Item reordered;
  for (auto member = item.end(); member != item.begin();) {
    --member;
    reordered.emplace(member->key(), member->value());
  }
  return json::serialize(reordered);
}

// 500 random values stored as to_item writes them splice to the bytes append_json writes for the value, in
// every form their text can take; only the text as written holds its API text.
template <typename Make, typename Splice>
void expect_spliced_as_written(unsigned seed, Make make, Splice splice, const api_json::SplicedObject& held,
                               std::string_view optional_field) {
  std::mt19937 random(seed);
  for (int i = 0; i < 500; ++i) {
    auto value = make(random);
    const auto item = to_item(value);
    const auto api = after_bracket([&](std::string& out) { append_json(out, value); });
    const auto written = json::serialize(item);
    EXPECT_EQ(after_bracket([&](std::string& out) { EXPECT_TRUE(held.append_held(out, written)); }), api)
        << written;
    const std::string others[] = {older_writers_text(item), text_with_every_null(item, value),
                                  reordered_text(item)};
    EXPECT_EQ(splice(written), api) << written;
    for (const auto& stored : others) {
      EXPECT_EQ(splice(stored), api) << stored;
      if (stored == written) continue;  // a value without empty optionals: every null is already written
      std::string out = "kept";
      EXPECT_FALSE(held.append_held(out, stored)) << stored;
      EXPECT_EQ(out, "kept");
    }
    std::string out = "kept";
    EXPECT_FALSE(held.append_held(out, set_in_place_text(item, optional_field)));
    EXPECT_EQ(out, "kept");
  }
}

TEST(StoredText, SplicedBatchesAreTheBytesTheApiWrites) {
  expect_spliced_as_written(21, random_batch, spliced_batch, batch_splice(), "notes");
}

TEST(StoredText, SplicedEventsAreTheBytesTheApiWrites) {
  expect_spliced_as_written(22, random_event, spliced_event, event_splice(), "photoKey");
}

// Documents an older writer may have left: members in another order, whole numbers written as doubles, times
// with an offset, members missing or null, extra attributes, whitespace. Whatever the splice takes or leaves
// to the decoder, the bytes are the decoder's.
TEST(StoredText, DocumentsNotInTheWrittenFormGiveTheDecodersBytes) {
  const std::string_view documents[] = {
      R"({"name":"B","batchId":"b1","userId":"u","stage":"stage1_open","version":2,"kind":"milk","status":"ready",
          "startDate":"2026-01-15T10:00:00.000Z","createdAt":"2026-01-15T10:00:00.000Z",
          "updatedAt":"2026-01-16T10:00:00.000Z","fruits":[],"photoKeys":[],"isPublic":false,"PK":"USER#u"})",
      R"({"batchId":"b1","userId":"u","name":"B","kind":"water","stage":"stage1_open","status":"active",
          "startDate":"2026-01-15T12:00:00+02:00","targetDuration":48.0,"fruits":[],"isPublic":false,
          "photoKeys":[],"version":1,"createdAt":"2026-01-15T10:00:00.000Z","updatedAt":"2026-01-15T10:00:00.000Z"})",
      R"({"batchId":"b1","userId":"u","name":"B","stage":"stage1_open","createdAt":"2026-01-15T10:00:00.000Z"})",
      R"({"batchId":"b1","userId":"u","name":null,"kind":"water","stage":"stage1_open","status":"active",
          "startDate":"2026-01-15T10:00:00.000Z","notes":null,"fruits":["a",1],"isPublic":"yes","photoKeys":[],
          "version":3,"createdAt":"2026-01-15T10:00:00.000Z","updatedAt":"2026-01-15T10:00:00.000Z"})",
      R"({ "batchId": "b1", "userId": "u", "name": "Spaced", "kind": "water", "stage": "stage1_open" })",
      R"({"batchId":"b1","userId":"u","name":"B","kind":"water","stage":"stage1_open","status":"active",
          "startDate":"2026-01-15T10:00:00.000Z","temperature":2.25E1,"sugarAmount":1E300,"fruits":[],
          "isPublic":true,"photoKeys":[],"version":1,"createdAt":"2026-01-15T10:00:00.000Z",
          "updatedAt":"2026-01-15T10:00:00.000Z","safeRange":{"minC":18,"maxC":"x"},"extra":{"a":[1,{"b":"}"}]}})",
      R"({"batchId":"b1","userId":"u","name":"B","kind":"water","stage":"stage1_open","status":"active",
          "startDate":"2026-01-15T10:00:00.000Z","fruits":[],"isPublic":false,"photoKeys":[],"version":1,
          "createdAt":"2026-01-15T10:00:00.000Z","updatedAt":"2026-01-15T10:00:00.000Z","k\u0065y":1})",
  };
  for (auto document : documents) {
    // The compact form the store writes and the document as it is.
    for (const auto& text : {json::serialize(json::parse(document)), std::string(document)})
      EXPECT_EQ(spliced_batch(text), decoded_batch(text)) << text;
  }
  const std::string_view events[] = {
      R"({"eventId":"e1","batchId":"b1","type":"note","timestamp":"2026-01-15T10:00:00.000Z"})",
      R"({"metadata":{"a":"}\"{"},"eventId":"e1","type":"note","timestamp":"2026-01-15T10:00:00+01:00",
          "batchId":"b1","description":"d","photoKey":null,"createdAt":"2026-01-15T10:00:00.000Z"})",
      R"({"eventId":"e1","batchId":"b1","type":"note","timestamp":"2026-01-15T10:00:00.000Z","description":"\\",
          "metadata":[1],"photoKey":"p","createdAt":"2026-01-15T10:00:00.000Z"})",
  };
  for (auto document : events) {
    for (const auto& text : {json::serialize(json::parse(document)), std::string(document)})
      EXPECT_EQ(spliced_event(text), decoded_event(text)) << text;
  }
}

TEST(StoredText, TextThatIsNotAJsonObjectIsTheStoresFault) {
  std::string out;
  EXPECT_THROW(append_stored_batch_json(out, "{\"batchId\":"), store::StoreUnavailable);
  EXPECT_THROW(append_stored_event_json(out, "[1]"), store::StoreUnavailable);
  EXPECT_THROW(listing_from_stored("nonsense"), store::StoreUnavailable);
  EXPECT_THROW(append_stored_event_json(out, R"({"eventId":"e","metadata":{"a":tru}})"),
               store::StoreUnavailable);
  EXPECT_EQ(out, "");
}

TEST(StoredText, TheListingIsReadWithoutDecodingTheRest) {
  auto listing =
      listing_from_stored(R"({"batchId":"b","stage":"stage2_bottled","status":"ready","name":"x"})");
  EXPECT_EQ(listing.status, "ready");
  EXPECT_EQ(listing.stage, "stage2_bottled");
  listing = listing_from_stored(R"({"batchId":"b","name":"x"})");
  EXPECT_EQ(listing.status, "active");  // the decoder's default
  EXPECT_EQ(listing.stage, "");
  listing = listing_from_stored(R"({"status":"\u0061rchived","stage":null})");
  EXPECT_EQ(listing.status, "archived");  // escaped: decoded
  EXPECT_EQ(listing.stage, "");
}

// The listing's members are searched for, not walked to; whatever a person's text holds before them, the
// search finds the object's own members or leaves the document to the walk.
TEST(StoredText, TheListingIsTheObjectsOwnMembersWhatItsTextsHold) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      // name's text looks like the members: escaped, so never taken for them
      {R"({"name":"x\",\"stage\":\"fake\",\"status\":\"archived","stage":"stage1_open","status":"active"})",
       "active", "stage1_open"},
      // a nested object holding the names before the object's own
      {R"({"meta":{"stage":"n","status":"archived"},"stage":"s","status":"ready"})", "ready", "s"},
      {R"({"tags":["x",{"status":"archived"}],"status":"ready","stage":"s"})", "ready", "s"},
      // another writer's order, and a time with colons between them
      {R"({"status":"archived","at":"2026-01-01T00:00:00.000Z","stage":"s"})", "archived", "s"},
      // the first member, and keys that end alike
      {R"({"stage":"a","substage":"b","xstatus":"archived","status":"in_fridge"})", "in_fridge", "a"},
      // a value with an escape, a value that is not a string
      {R"({"stage":"a\"b","status":"ready"})", "ready", "a\"b"},
      {R"({"stage":"s","status":null})", "active", "s"},
  };
  for (const auto& [text, status, stage] : cases) {
    const auto listing = listing_from_stored(text);
    EXPECT_EQ(listing.status, status) << text;
    EXPECT_EQ(listing.stage, stage) << text;
  }
}

TEST(StoredJson, PlainStringsAreFoundOnlyWhenTheyAreTheObjectsOwn) {
  std::string_view values[2];
  const std::string text = R"({"apiText":"0a","batchId":"b","stage":"stage1_open","status":"active","n":1})";
  ASSERT_TRUE(stored_json::find_plain_strings(text, {"stage", "status"}, values));
  EXPECT_EQ(values[0], "stage1_open");
  EXPECT_EQ(values[1], "active");
  ASSERT_TRUE(stored_json::find_plain_strings(R"({"stage":"","status":"x"})", {"stage", "status"}, values));
  EXPECT_EQ(values[0], "");
  for (std::string_view refused : {
           R"({"status":"x","stage":"y"})",          // not in the order asked for
           R"({"stage":"y"})",                       // one missing
           R"({"o":{"stage":"y","status":"x"}})",    // nested
           R"({"a":"[","stage":"y","status":"x"})",  // might be nested, as far as a search can tell
           R"({"stage":"y\n","status":"x"})",        // an escape
           R"({"stage":1,"status":"x"})",            // not a string
           R"({"stage":"y","status":"x)",            // unterminated
           R"(["stage":"y","status":"x"])",          // not an object
       })
    EXPECT_FALSE(stored_json::find_plain_strings(refused, {"stage", "status"}, values)) << refused;
}

TEST(StoredJson, RawMembersAreDelimitedWhateverTheirStringsHold) {
  const std::string text =
      R"({"a":"x\"},{\\","b":{"c":["]",{"d":"\\\""}],"e":{}},"f":-1.5E-3,"g":[],"h":true,"i":null})";
  std::vector<std::pair<std::string, std::string>> members;
  EXPECT_TRUE(stored_json::for_each_raw_member(text, [&](const stored_json::RawMember& member) {
    members.emplace_back(member.key, member.value);
    return true;
  }));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", R"("x\"},{\\")"}, {"b", R"({"c":["]",{"d":"\\\""}],"e":{}})"},
      {"f", "-1.5E-3"},       {"g", "[]"},
      {"h", "true"},          {"i", "null"}};
  EXPECT_EQ(members, expected);
  for (std::string_view bad :
       {"{", "{\"a\":1", "{\"a\" :1}", "{\"a\":\"x}", "{\"a\":1,}", "{\"a\":{\"b\":1}"}) {
    EXPECT_FALSE(stored_json::for_each_raw_member(bad, [](const auto&) { return true; })) << bad;
  }
}

// The held API text is copied only when its stamp matches the text after it: text changed in place (here a
// name edited without a new stamp) lists what it now says, through the splice, and a damaged stamp, length
// or run is never trusted.
TEST(StoredText, HeldApiTextIsCopiedOnlyWhenItsStampMatches) {
  std::mt19937 random(23);
  auto batch = random_batch(random);
  batch.name = "Ginger beer";
  batch.notes.reset();
  batch.public_note.reset();
  batch.archived_at.reset();
  const auto item = to_item(batch);
  const auto written = json::serialize(item);
  const auto api = after_bracket([&](std::string& out) { append_json(out, batch); });
  EXPECT_EQ(after_bracket([&](std::string& out) { EXPECT_TRUE(batch_splice().append_held(out, written)); }),
            api);
  EXPECT_FALSE(item.contains("notes"));
  EXPECT_FALSE(item.contains("archivedAt"));

  const auto stamp_at = written.find(R"("apiText":")") + 11;
  const auto stamp = written.substr(stamp_at, written.find('"', stamp_at) - stamp_at);
  ASSERT_GE(stamp.size(), 48u) << "at least two runs: " << stamp;
  ASSERT_EQ(stamp.size() % 8, 0u) << stamp;
  const auto hash = stamp.substr(0, 16);
  const auto length = std::stoul(stamp.substr(16, 8), nullptr, 16);
  const auto tail = std::stoul(stamp.substr(24, 8), nullptr, 16);
  const auto runs = stamp.substr(32);
  const auto stamp_text = written.substr(0, stamp_at + stamp.size() + 2);
  EXPECT_EQ(stamp_text.size() + length + tail, written.size());

  auto edited = written;
  edited.replace(edited.find("Ginger beer"), 11, "Ginger wine");
  batch.name = "Ginger wine";
  EXPECT_EQ(spliced_batch(edited), after_bracket([&](std::string& out) { append_json(out, batch); }));

  auto with_stamp = [&](const std::string& replacement) {
    auto text = written;
    return text.replace(stamp_at, stamp.size(), replacement);
  };
  auto hex = [](std::size_t value) {
    char digits[9];
    std::snprintf(digits, sizeof digits, "%08zx", value);
    return std::string(digits);
  };
  auto stamp_of = [&](const std::string& hash_digits, std::size_t members, std::size_t keys,
                      const std::string& rest) {
    return with_stamp(hash_digits + hex(members) + hex(keys) + rest);
  };
  const auto first_run_moved = hex(std::stoul(runs.substr(0, 8), nullptr, 16) + (1 << 16)) + runs.substr(8);
  auto without_key = item;
  without_key.erase("GSI1SK");
  const std::string refused[] = {
      edited,
      stamp_of(hash, length - 1, tail, runs),
      stamp_of(hash, length + 1, tail, runs),
      stamp_of(hash, length, tail - 1, runs),
      stamp_of(hash, length, tail + 1, runs),
      stamp_of(std::string(16, '0'), length, tail, runs),
      stamp_of(hash, length, tail, first_run_moved),
      stamp_of(hash, length, tail, runs.substr(0, runs.size() - 8)),
      with_stamp(stamp.substr(0, stamp.size() - 1)),
      with_stamp(std::to_string(length) + "-" + hash),  // the stamp of stop 32's writer
      written.substr(0, stamp_text.size() + length),
      R"({"PK":"k",)" + written.substr(1),
      set_in_place_text(item, "notes"),
      json::serialize(without_key),
  };
  for (const auto& text : refused) {
    std::string out = "kept";
    EXPECT_FALSE(batch_splice().append_held(out, text)) << text;
    EXPECT_EQ(out, "kept");
  }
}

// A run of nulls is placed by a 16-bit offset: past 64 KiB of members the stamp is left empty, and the item
// is spliced like an older writer's.
TEST(StoredText, AnItemWithNullsPast64KiBIsSplicedNotHeld) {
  std::mt19937 random(24);
  auto batch = random_batch(random);
  batch.photo_keys.assign(1000, "users/u/batches/b/" + std::string(70, 'p'));
  batch.archived_at.reset();
  const auto item = to_item(batch);
  EXPECT_EQ(item.at(api_json::kApiTextAttribute), "");
  const auto written = json::serialize(item);
  std::string out = "kept";
  EXPECT_FALSE(batch_splice().append_held(out, written));
  EXPECT_EQ(out, "kept");
  EXPECT_EQ(spliced_batch(written), after_bracket([&](std::string& out) { append_json(out, batch); }));
}

// Quotes and backslashes are searched for eight bytes at a time: strings of every length put each of them at
// every place in a word, and an escaped quote or backslash is never taken for the end.
TEST(StoredJson, StringsEndAtTheirClosingQuoteWhereverItFalls) {
  for (std::size_t length = 0; length < 40; ++length) {
    for (std::string_view escape : {"", "\\\"", "\\\\", "\\u0022"}) {
      std::string value = std::string(length, 'x') + std::string(escape) + "y";
      std::string text = R"({"k)" + std::string(length % 11, 'k') + R"(":")" + value + R"(","z":1})";
      std::vector<std::pair<std::string, std::string>> members;
      ASSERT_TRUE(stored_json::for_each_raw_member(text, [&](const stored_json::RawMember& member) {
        members.emplace_back(member.key, member.value);
        return true;
      })) << text;
      ASSERT_EQ(members.size(), 2u) << text;
      EXPECT_EQ(members[0].first, "k" + std::string(length % 11, 'k'));
      EXPECT_EQ(members[0].second, '"' + value + '"');
      EXPECT_EQ(members[1].second, "1");
    }
    // Unterminated, or ended by an escaped quote only: not an object.
    const std::string open = R"({"a":")" + std::string(length, 'x');
    EXPECT_FALSE(stored_json::for_each_raw_member(open + "}", [](const auto&) { return true; }));
    EXPECT_FALSE(stored_json::for_each_raw_member(open + "\\\"}", [](const auto&) { return true; }));
    // An escaped key is not in the compact form: the caller decodes the text instead.
    const std::string escaped_key = R"({")" + std::string(length, 'k') + R"(\n":1})";
    EXPECT_FALSE(stored_json::for_each_raw_member(escaped_key, [](const auto&) { return true; }));
  }
}

// The fast path is taken for what the store writes (otherwise the figures in docs/performance.md would be the
// decoder's): a splice of every shape succeeds on canonical text and refuses each kind of non-canonical
// value.
TEST(SplicedObject, TakesCanonicalMembersAndRefusesTheRest) {
  using api_json::Shape;
  api_json::SplicedObject spliced({{"s", Shape::string},
                                   {"t", Shape::time},
                                   {"i", Shape::integer},
                                   {"n", Shape::number},
                                   {"b", Shape::boolean},
                                   {"l", Shape::strings},
                                   {"o", Shape::object},
                                   {{"api", "stored"}, Shape::string, true}});
  std::string out;
  ASSERT_TRUE(spliced.append(
      out,
      R"({"PK":"k","s":"a\"b","t":"2026-01-15T10:00:00.000Z","i":-42,"n":2.25E1,"b":false,"l":["x","y\\"],"o":{"x":[1]},"x":0})"));
  EXPECT_EQ(
      out,
      R"({"s":"a\"b","t":"2026-01-15T10:00:00.000Z","i":-42,"n":2.25E1,"b":false,"l":["x","y\\"],"o":{"x":[1]},"api":null})");
  const std::string canonical =
      R"({"s":"a","t":"2026-01-15T10:00:00.000Z","i":1,"n":1,"b":true,"l":[],"o":{},"stored":"v"})";
  ASSERT_TRUE(spliced.append(out, canonical));
  const std::pair<std::string, std::string> refused[] = {
      {"\"s\":\"a\"", "\"s\":1"},
      {"\"t\":\"2026-01-15T10:00:00.000Z\"", "\"t\":\"2026-01-15T10:00:00Z\""},
      // Each byte of a time is checked: a digit's place takes only a digit, the others only their character.
      {"2026-01-15T10:00:00.000Z", "2026-01-15T10:0::00.000Z"},
      {"2026-01-15T10:00:00.000Z", "2026-01-15T10:00:00.00 Z"},
      {"2026-01-15T10:00:00.000Z", "202a-01-15T10:00:00.000Z"},
      {"2026-01-15T10:00:00.000Z", "2026-01-15T10:00:00.000z"},
      {"2026-01-15T10:00:00.000Z", "2026/01-15T10:00:00.000Z"},
      {"2026-01-15T10:00:00.000Z", "2026-01-15 10:00:00.000Z"},
      {"\"i\":1", "\"i\":1.0"},
      {"\"n\":1", "\"n\":\"1\""},
      {"\"b\":true", "\"b\":1"},
      {"\"l\":[]", "\"l\":[1]"},
      {"\"o\":{}", "\"o\":[]"},
      // Delimited like an object, but not JSON inside.
      {"\"o\":{}", "\"o\":{\"x\":tru}"},
      {"\"o\":{}", "\"o\":{\"x\":1,}"},
      {"\"s\":\"a\",", ""},
      // Members in another writer's order: decoded, not spliced.
      {"\"s\":\"a\",\"t\":\"2026-01-15T10:00:00.000Z\"", "\"t\":\"2026-01-15T10:00:00.000Z\",\"s\":\"a\""},
  };
  for (const auto& [from, to] : refused) {
    auto text = canonical;
    text.replace(text.find(from), from.size(), to);
    std::string before = "kept";
    EXPECT_FALSE(spliced.append(before, text)) << text;
    EXPECT_EQ(before, "kept");
  }
}

// Absent members are the nullable fields the writer left out: each gap, at the start, between two members or
// at the end, is written as nulls, and a gap holding a field that cannot be null refuses the splice.
TEST(SplicedObject, WritesTheNullsOfEveryGap) {
  using api_json::Shape;
  api_json::SplicedObject spliced({{"n", Shape::integer, true},
                                   {"a", Shape::string},
                                   {"b", Shape::string, true},
                                   {"c", Shape::string, true},
                                   {"d", Shape::string},
                                   {"e", Shape::string, true}});
  const std::pair<std::string, std::string> written[] = {
      {R"({"a":"x","d":"y"})", R"({"n":null,"a":"x","b":null,"c":null,"d":"y","e":null})"},
      {R"({"PK":"k","a":"x","c":null,"d":"y","e":"z"})",
       R"({"n":null,"a":"x","b":null,"c":null,"d":"y","e":"z"})"},
      {R"({"n":1,"a":"x","b":"p","SK":"k","c":"q","d":"y"})",
       R"({"n":1,"a":"x","b":"p","c":"q","d":"y","e":null})"},
  };
  for (const auto& [stored, api] : written) {
    std::string out;
    ASSERT_TRUE(spliced.append(out, stored)) << stored;
    EXPECT_EQ(out, api);
  }
  for (const std::string stored : {R"({"a":"x"})", R"({"n":1,"d":"y"})", R"({"a":"x","d":null})"}) {
    std::string out = "kept";
    EXPECT_FALSE(spliced.append(out, stored)) << stored;
    EXPECT_EQ(out, "kept");
  }
}

}  // namespace
}  // namespace kefir::domain
