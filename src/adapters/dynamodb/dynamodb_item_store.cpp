#include "adapters/dynamodb/dynamodb_item_store.hpp"

#include <thread>

#include "adapters/dynamodb/attribute_values.hpp"
#include "adapters/dynamodb/errors.hpp"
#include "adapters/dynamodb/expressions.hpp"
#include "adapters/sqlite/item_rules.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace kefir::store {
namespace {

using dynamodb::add_update;
using dynamodb::classify;
using dynamodb::Disposition;
using dynamodb::Expression;
using dynamodb::from_attributes;
using dynamodb::is_live;
using dynamodb::key_attributes;
using dynamodb::kTtl;
using dynamodb::parse_error;
using dynamodb::ServiceError;
using dynamodb::throw_mapped;
using dynamodb::to_attributes;
using Clocks = std::chrono::steady_clock;

// The request checks both adapters share (std::invalid_argument), so a bad request fails the same everywhere.
namespace rules = sqlite;

constexpr std::string_view kIndexName = "GSI1";
// Rounds of "delete the expired item in the way, then retry" before giving up (each needs a racing writer).
constexpr int kMaxExpiredPurges = 3;

// An update refused only because its item had expired succeeds once the expired item is gone.
bool update_may_need_purge(const std::optional<Condition>& condition) {
  return !condition || rules::condition_holds(*condition, nullptr);
}

aws::Endpoint resolve_endpoint(const DynamoDbOptions& options) {
  try {
    return aws::parse_endpoint(options.endpoint.empty()
                                   ? "https://dynamodb." + options.region + ".amazonaws.com"
                                   : options.endpoint);
  } catch (const std::invalid_argument& e) {
    throw StoreUnavailable(std::string("DynamoDB endpoint: ") + e.what());
  }
}

}  // namespace

DynamoDbOptions DynamoDbOptions::from_config(const Config& config) {
  DynamoDbOptions options;
  options.table_name = config.table_name;
  options.endpoint = !config.dynamodb_endpoint.empty() ? config.dynamodb_endpoint : config.aws_endpoint_url;
  options.region = config.aws_region;
  options.credentials = {config.aws_access_key_id, config.aws_secret_access_key, config.aws_session_token};
  return options;
}

DynamoDbItemStore::DynamoDbItemStore(DynamoDbOptions options, const Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      endpoint_(resolve_endpoint(options_)),
      signer_(options_.credentials, options_.region, "dynamodb"),
      http_(std::make_unique<net::HttpClient>(options_.http)) {
  if (options_.credentials.access_key_id.empty() || options_.credentials.secret_access_key.empty())
    throw StoreUnavailable("STORE=dynamodb needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (options_.table_name.empty()) throw StoreUnavailable("STORE=dynamodb needs TABLE_NAME");
}

std::int64_t DynamoDbItemStore::now_seconds() const {
  return epoch_seconds(clock_.now());
}

net::HttpResponse DynamoDbItemStore::send(std::string_view operation, const std::string& body) const {
  aws::SignableRequest request{"POST",
                               endpoint_.host,
                               endpoint_.path,
                               {},
                               {{"content-type", "application/x-amz-json-1.0"},
                                {"x-amz-target", "DynamoDB_20120810." + std::string(operation)}},
                               crypto::sha256_hex(body)};
  // Signatures are about real time, whatever clock the store's TTL logic runs on.
  auto now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  return http_->send("POST", endpoint_.origin + endpoint_.path, signer_.sign_headers(request, now), body);
}

json::object DynamoDbItemStore::call(std::string_view operation, const json::object& request, bool retry) {
  auto body = json::serialize(request);
  auto started = Clocks::now();
  auto report = [&] {
    if (on_duration_) on_duration_(operation, std::chrono::duration<double>(Clocks::now() - started).count());
  };
  int max_attempts = retry ? std::max(1, options_.retry.max_attempts) : 1;
  for (int attempt = 1;; ++attempt) {
    std::optional<net::HttpResponse> response;
    Disposition disposition = Disposition::retry_unavailable;
    std::string failure;
    try {
      response = send(operation, body);
    } catch (const net::NetworkError& e) {
      failure = e.what();
    }
    if (response && response->status == 200) {
      report();
      boost::system::error_code ec;
      auto parsed = json::parse(response->body, ec);
      if (ec || !parsed.is_object())
        throw StoreError("DynamoDB " + std::string(operation) + ": unreadable response");
      return std::move(parsed.as_object());
    }
    if (response) {
      auto error = parse_error(*response);
      disposition = classify(response->status, error);
      if (disposition == Disposition::fail) {
        report();
        throw_mapped(error);
      }
      failure = error.code + ": " + error.message;
      if (on_throttle_) on_throttle_(operation);
    }
    if (attempt >= max_attempts) {
      report();
      if (disposition == Disposition::retry_throttled)
        throw StoreThrottled("DynamoDB " + std::string(operation) + " throttled: " + failure);
      throw StoreUnavailable("DynamoDB " + std::string(operation) + ": " + failure);
    }
    log::debug("dynamodb retry", {{"operation", operation}, {"attempt", attempt}, {"error", failure}});
    std::this_thread::sleep_for(options_.retry.delay(attempt - 1));
  }
}

std::optional<Item> DynamoDbItemStore::raw_get(const Key& key) {
  rules::validate_key(key);
  auto response =
      call("GetItem",
           {{"TableName", options_.table_name}, {"Key", key_attributes(key)}, {"ConsistentRead", true}});
  const auto* item = response.if_contains("Item");
  if (!item) return std::nullopt;
  return from_attributes(item->as_object());
}

std::optional<Item> DynamoDbItemStore::get(const Key& key) {
  auto item = raw_get(key);
  if (item && !is_live(*item, now_seconds())) return std::nullopt;
  return item;
}

void DynamoDbItemStore::put(const Item& item, const std::optional<Condition>& condition) {
  rules::validate_item(item);
  Expression expression(now_seconds());
  json::object request{{"TableName", options_.table_name}, {"Item", to_attributes(item)}};
  if (condition) request["ConditionExpression"] = expression.absence_aware(*condition);
  expression.attach(request);
  call("PutItem", request);
}

bool DynamoDbItemStore::purge_if_expired(const Key& key) {
  auto item = raw_get(key);
  if (!item || is_live(*item, now_seconds())) return false;
  // Only the very item seen: a writer that replaced it meanwhile keeps its item.
  Expression expression(now_seconds());
  json::object request{{"TableName", options_.table_name}, {"Key", key_attributes(key)}};
  request["ConditionExpression"] = expression.name(kTtl) + " = " + expression.value(item->at(kTtl));
  expression.attach(request);
  try {
    call("DeleteItem", request);
  } catch (const ConditionFailed&) {
  }
  return true;
}

Item DynamoDbItemStore::update(const Key& key, const Update& update,
                               const std::optional<Condition>& condition) {
  rules::validate_key(key);
  rules::validate_update(update);
  for (int round = 0;; ++round) {
    Expression expression(now_seconds());
    json::object request{
        {"TableName", options_.table_name}, {"Key", key_attributes(key)}, {"ReturnValues", "ALL_NEW"}};
    add_update(request, update, condition, expression);
    expression.attach(request);
    try {
      auto response = call("UpdateItem", request);
      return from_attributes(response.at("Attributes").as_object());
    } catch (const ConditionFailed&) {
      if (round < kMaxExpiredPurges && update_may_need_purge(condition) && purge_if_expired(key)) continue;
      throw;
    }
  }
}

std::optional<Item> DynamoDbItemStore::remove(const Key& key, const std::optional<Condition>& condition) {
  rules::validate_key(key);
  Expression expression(now_seconds());
  json::object request{
      {"TableName", options_.table_name}, {"Key", key_attributes(key)}, {"ReturnValues", "ALL_OLD"}};
  if (condition) request["ConditionExpression"] = expression.absence_aware(*condition);
  expression.attach(request);
  auto response = call("DeleteItem", request);
  const auto* old = response.if_contains("Attributes");
  if (!old) return std::nullopt;
  auto item = from_attributes(old->as_object());
  if (!is_live(item, now_seconds())) return std::nullopt;
  return item;
}

QueryPage DynamoDbItemStore::query(const Query& query) {
  if (query.partition.empty()) throw std::invalid_argument("query needs a partition key value");
  Expression expression(now_seconds());
  json::object request{{"TableName", options_.table_name},
                       {"KeyConditionExpression", expression.key_condition(query)},
                       {"FilterExpression", expression.live()},
                       {"ScanIndexForward", query.forward}};
  if (query.on_gsi1) {
    request["IndexName"] = kIndexName;
  } else {
    request["ConsistentRead"] = true;
  }
  expression.attach(request);
  if (query.start_after) request["ExclusiveStartKey"] = to_attributes(*query.start_after);

  // DynamoDB's Limit counts items read before the filter, and a page stops at 1 MB: follow pages until the
  // port's limit is met in live items or the partition is exhausted.
  QueryPage page;
  for (;;) {
    if (query.limit) request["Limit"] = query.limit - page.items.size();
    auto response = call("Query", request);
    for (const auto& item : response.at("Items").as_array())
      page.items.push_back(from_attributes(item.as_object()));
    const auto* last = response.if_contains("LastEvaluatedKey");
    if (!last) return page;
    if (query.limit && page.items.size() >= query.limit) {
      page.last_key = from_attributes(last->as_object());
      return page;
    }
    request["ExclusiveStartKey"] = *last;
  }
}

void DynamoDbItemStore::transact_write(const std::vector<WriteOp>& operations) {
  rules::validate_transaction(operations);
  for (int round = 0;; ++round) {
    json::array items;
    for (const auto& operation : operations) {
      Expression expression(now_seconds());
      json::object entry{{"TableName", options_.table_name}};
      const char* kind = std::visit(
          [&](const auto& op) -> const char* {
            using T = std::decay_t<decltype(op)>;
            if constexpr (std::is_same_v<T, Put>) {
              entry["Item"] = to_attributes(op.item);
              if (op.condition) entry["ConditionExpression"] = expression.absence_aware(*op.condition);
              return "Put";
            } else if constexpr (std::is_same_v<T, UpdateItem>) {
              entry["Key"] = key_attributes(op.key);
              add_update(entry, op.update, op.condition, expression);
              return "Update";
            } else if constexpr (std::is_same_v<T, Delete>) {
              entry["Key"] = key_attributes(op.key);
              if (op.condition) entry["ConditionExpression"] = expression.absence_aware(*op.condition);
              return "Delete";
            } else {
              entry["Key"] = key_attributes(op.key);
              entry["ConditionExpression"] = expression.absence_aware(op.condition);
              return "ConditionCheck";
            }
          },
          operation);
      expression.attach(entry);
      items.push_back(json::object{{kind, std::move(entry)}});
    }
    // The token makes a retry after a lost response idempotent instead of applying the writes twice.
    json::object request{{"TransactItems", std::move(items)}, {"ClientRequestToken", uuid_v4()}};
    try {
      call("TransactWriteItems", request);
      return;
    } catch (const ConditionFailed& failed) {
      const auto* update =
          failed.index() >= 0 ? std::get_if<UpdateItem>(&operations[failed.index()]) : nullptr;
      if (round < kMaxExpiredPurges && update && update_may_need_purge(update->condition) &&
          purge_if_expired(update->key))
        continue;
      throw;
    }
  }
}

bool DynamoDbItemStore::ready() {
  try {
    auto response = call("DescribeTable", {{"TableName", options_.table_name}}, false);
    auto status = json_string(response.at("Table").as_object(), "TableStatus");
    return status == "ACTIVE" || status == "UPDATING";
  } catch (const std::exception& e) {
    log::warn("dynamodb not ready", {{"error", e.what()}});
    return false;
  }
}

void DynamoDbItemStore::create_table(std::chrono::seconds timeout) {
  auto attribute = [](const char* name) {
    return json::object{{"AttributeName", name}, {"AttributeType", "S"}};
  };
  auto key = [](const char* hash, const char* range) {
    return json::array{json::object{{"AttributeName", hash}, {"KeyType", "HASH"}},
                       json::object{{"AttributeName", range}, {"KeyType", "RANGE"}}};
  };
  json::object create{
      {"TableName", options_.table_name},
      {"AttributeDefinitions",
       json::array{attribute("PK"), attribute("SK"), attribute("GSI1PK"), attribute("GSI1SK")}},
      {"KeySchema", key("PK", "SK")},
      {"GlobalSecondaryIndexes", json::array{json::object{{"IndexName", kIndexName},
                                                          {"KeySchema", key("GSI1PK", "GSI1SK")},
                                                          {"Projection", {{"ProjectionType", "ALL"}}}}}},
      {"BillingMode", "PAY_PER_REQUEST"}};
  try {
    call("CreateTable", create);
    log::info("dynamodb table created", {{"table", options_.table_name}});
  } catch (const ServiceError& e) {
    if (e.code() != "ResourceInUseException") throw;
  }

  auto deadline = Clocks::now() + timeout;
  for (;;) {
    auto table = call("DescribeTable", {{"TableName", options_.table_name}}).at("Table").as_object();
    bool active = json_string(table, "TableStatus") == "ACTIVE";
    if (const auto* indexes = table.if_contains("GlobalSecondaryIndexes"))
      for (const auto& index : indexes->as_array())
        active = active && json_string(index.as_object(), "IndexStatus") == "ACTIVE";
    if (active) break;
    if (Clocks::now() > deadline)
      throw StoreUnavailable("DynamoDB table " + options_.table_name + " is not active");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }

  auto ttl = call("DescribeTimeToLive", {{"TableName", options_.table_name}});
  const auto* description = ttl.if_contains("TimeToLiveDescription");
  auto status = description ? json_string(description->as_object(), "TimeToLiveStatus") : "";
  if (status == "ENABLED" || status == "ENABLING") return;
  call("UpdateTimeToLive", {{"TableName", options_.table_name},
                            {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", kTtl}}}});
  log::info("dynamodb time to live enabled", {{"table", options_.table_name}, {"attribute", kTtl}});
}

}  // namespace kefir::store
