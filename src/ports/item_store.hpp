#pragma once
// The item store port: one table shaped like DynamoDB's (SPEC §12). Keys are the string attributes PK/SK, the
// sparse index GSI1 is GSI1PK/GSI1SK, and TTL (epoch seconds) makes an item expire. Adapters: SQLite
// (standalone) and DynamoDB (scaled out); both pass tests/conformance.
//
// Semantics every adapter guarantees:
// - An item whose TTL <= now is invisible to get and query AND counts as absent for conditions, even before
// it is
//   purged (DynamoDB adapter: conditions are rewritten to treat an expired TTL as absence).
// - Conditions on an absent attribute: only `not_exists` is true; comparisons are false.
// - Comparisons work on strings (byte order) and numbers; `equals` also on bools.
// - update() on a missing item creates it (DynamoDB UpdateItem semantics) unless the condition forbids it.
// - transact_write(): 1..25 operations on distinct keys, all or nothing. A failed condition throws
//   ConditionFailed whose index names the operation (DynamoDB's CancellationReasons).
// - Query limit counts returned items: a limit N returns N items when N exist, whatever the page size
//   underneath (DynamoDB's 1 MB pages are followed by the adapter). limit 0 means all.
// - Throttling is retried inside the adapter with jittered backoff; only when retries are exhausted does
//   StoreThrottled escape. StoreUnavailable: the store cannot be reached or is unusable (locked, corrupt,
//   read-only).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/json.hpp"
#include "util/packed_texts.hpp"

namespace kefir::store {

using Item = json::object;

struct Key {
  std::string pk;
  std::string sk;
};

struct Condition {
  enum class Op { exists, not_exists, equals, less, less_equal, greater, greater_equal, all_of, any_of };
  Op op = Op::exists;
  std::string attribute;
  json::value value;
  std::vector<Condition> children;

  static Condition exists(std::string attribute) { return {Op::exists, std::move(attribute), {}, {}}; }
  static Condition not_exists(std::string attribute) {
    return {Op::not_exists, std::move(attribute), {}, {}};
  }
  static Condition equals(std::string attribute, json::value value) {
    return {Op::equals, std::move(attribute), std::move(value), {}};
  }
  static Condition less(std::string attribute, json::value value) {
    return {Op::less, std::move(attribute), std::move(value), {}};
  }
  static Condition less_equal(std::string attribute, json::value value) {
    return {Op::less_equal, std::move(attribute), std::move(value), {}};
  }
  static Condition greater(std::string attribute, json::value value) {
    return {Op::greater, std::move(attribute), std::move(value), {}};
  }
  static Condition greater_equal(std::string attribute, json::value value) {
    return {Op::greater_equal, std::move(attribute), std::move(value), {}};
  }
  static Condition all_of(std::vector<Condition> children) {
    return {Op::all_of, {}, {}, std::move(children)};
  }
  static Condition any_of(std::vector<Condition> children) {
    return {Op::any_of, {}, {}, std::move(children)};
  }
  // The item exists / does not exist (on PK).
  static Condition item_exists() { return exists("PK"); }
  static Condition item_absent() { return not_exists("PK"); }
};

// SET, REMOVE and atomic ADD of integers, as DynamoDB's UpdateExpression. Key attributes cannot be changed.
struct Update {
  json::object set;
  std::vector<std::string> remove;
  std::vector<std::pair<std::string, std::int64_t>> add;  // attribute += n (absent counts as 0)
};

enum class SortOp { none, equals, begins_with, between, less, less_equal, greater, greater_equal };

struct SortCondition {
  SortOp op = SortOp::none;
  std::string value;
  std::string value2;  // upper bound of between (inclusive)
};

struct Query {
  bool on_gsi1 = false;   // query GSI1 (GSI1PK/GSI1SK) instead of the table (PK/SK)
  std::string partition;  // the PK (or GSI1PK) value
  SortCondition sort;
  std::size_t limit = 0;  // 0: every matching item
  bool forward = true;    // ascending sort key
  // Exclusive start: the last_key of the previous page, as returned (opaque to callers).
  std::optional<json::object> start_after;
};

struct QueryPage {
  std::vector<Item> items;
  std::optional<json::object> last_key;  // set when more items may follow
};

// A query's items as their stored JSON text, for callers that decode it without a DOM (list pages).
struct DocumentPage {
  PackedTexts documents;
  std::optional<json::object> last_key;
};

struct Put {
  Item item;
  std::optional<Condition> condition;
};
struct UpdateItem {
  Key key;
  Update update;
  std::optional<Condition> condition;
};
struct Delete {
  Key key;
  std::optional<Condition> condition;
};
struct Check {
  Key key;
  Condition condition;
};
using WriteOp = std::variant<Put, UpdateItem, Delete, Check>;

// An entry appended to a numbered log (a user's change log). The store numbers it one past the log's
// counter (an item whose "seq" holds the last number; absent: 0), sets the entry's SK to
// log_sort_key(sort_prefix, number) and its "seq" to the number, and stores the counter, all in the
// transaction it is part of. Appends to one log from concurrent transactions never fail on each other.
struct LogAppend {
  Key counter;
  Item entry;  // PK and the entry's attributes; SK and "seq" are the store's to set
  std::string sort_prefix;
};
// `prefix` and the number in 20 digits, so that entries sort by number.
std::string log_sort_key(std::string_view prefix, std::uint64_t number);

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class ConditionFailed : public StoreError {
 public:
  explicit ConditionFailed(int index = -1) : StoreError("condition failed"), index_(index) {}
  int index() const { return index_; }  // the failing operation of a transaction; -1 for a single write

 private:
  int index_;
};
class StoreThrottled : public StoreError {
 public:
  using StoreError::StoreError;
};
class StoreUnavailable : public StoreError {
 public:
  using StoreError::StoreError;
};

inline constexpr std::size_t kMaxTransactionItems = 25;

class ItemStore {
 public:
  virtual ~ItemStore() = default;

  virtual std::optional<Item> get(const Key& key) = 0;
  virtual void put(const Item& item, const std::optional<Condition>& condition = std::nullopt) = 0;
  // Returns the whole item as it is after the update.
  virtual Item update(const Key& key, const Update& update,
                      const std::optional<Condition>& condition = std::nullopt) = 0;
  // Returns the item that was deleted, if any.
  virtual std::optional<Item> remove(const Key& key,
                                     const std::optional<Condition>& condition = std::nullopt) = 0;
  virtual QueryPage query(const Query& query) = 0;
  // get() as the item's JSON text (the same default and override as query_documents).
  virtual std::optional<std::string> get_document(const Key& key);
  // query() with each item as JSON text. This default serializes what query() returns; a store that keeps
  // items as JSON text hands that text out instead of parsing it.
  virtual DocumentPage query_documents(const Query& query);
  virtual void transact_write(const std::vector<WriteOp>& operations) = 0;
  // transact_write() with log appends after the operations (each counts as two items: the entry and its
  // counter); returns each append's number. A failed condition of `operations` throws ConditionFailed with
  // its index. This default reads each counter and writes it on condition that it still holds what was read,
  // retrying with backoff when another transaction moved it first; StoreThrottled when that keeps happening.
  // A store that serializes its writes numbers the entries inside the transaction instead.
  virtual std::vector<std::uint64_t> transact_append(const std::vector<WriteOp>& operations,
                                                     const std::vector<LogAppend>& appends);
  // For /readyz, cheap: whether writes can succeed now (reachable, and for a local file: space left on its
  // filesystem and no corruption seen).
  virtual bool ready() = 0;
  // A number that changes whenever a write has committed, by this or any other process on the same store,
  // read before a query so that the query's result may be kept until it changes; nullopt when the adapter
  // cannot tell cheaply (DynamoDB: other instances write without telling this one).
  virtual std::optional<std::uint64_t> data_version() = 0;
  // The same for the items of one partition (PK value) of one kind: changes whenever a write of an item in
  // `partition` whose SK starts with `sort_kind` has committed, and may change for others too. `sort_kind` is
  // an SK's leading part up to and including its first '#' (keys.hpp's prefixes: "BATCH#"), or empty for
  // every item of the partition. Here: data_version(), which changes for every write.
  virtual std::optional<std::uint64_t> partition_version(std::string_view partition,
                                                         std::string_view sort_kind) {
    static_cast<void>(partition);
    static_cast<void>(sort_kind);
    return data_version();
  }
};

inline Key key_of(const Item& item) {
  return {json_string(item, "PK"), json_string(item, "SK")};
}

// The exclusive start key that resumes a query right after `item` (DynamoDB's LastEvaluatedKey shape).
inline json::object resume_key_after(const Item& item, bool on_gsi1) {
  json::object key{{"PK", item.at("PK")}, {"SK", item.at("SK")}};
  if (on_gsi1) {
    key["GSI1PK"] = item.at("GSI1PK");
    key["GSI1SK"] = item.at("GSI1SK");
  }
  return key;
}

}  // namespace kefir::store
