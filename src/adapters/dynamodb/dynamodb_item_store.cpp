#include "adapters/dynamodb/dynamodb_item_store.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <thread>

#include "adapters/sqlite/item_rules.hpp"
#include "util/crypto.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace kefir::store {
namespace {

using Clocks = std::chrono::steady_clock;

// The request checks both adapters share (std::invalid_argument), so a bad request fails the same everywhere.
namespace rules = sqlite;

constexpr std::string_view kTtl = "TTL";
constexpr std::string_view kIndexName = "GSI1";
// Rounds of "delete the expired item in the way, then retry" before giving up (each needs a racing writer).
constexpr int kMaxExpiredPurges = 3;

// An error response the adapter does not turn into a port exception by itself.
class ServiceError : public StoreError {
 public:
  ServiceError(std::string code, const std::string& message)
      : StoreError(code + ": " + message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// ---- AttributeValue marshalling ----

std::string number_text(const json::value& value) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  double number = value.get_double();
  if (!std::isfinite(number)) throw std::invalid_argument("DynamoDB numbers must be finite");
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  return std::string(buffer, result.ptr);
}

json::value number_value(std::string_view text) {
  bool integral = !text.empty() && text.find_first_not_of("-0123456789") == std::string_view::npos;
  if (integral) {
    std::int64_t integer = 0;
    auto result = std::from_chars(text.data(), text.data() + text.size(), integer);
    if (result.ec == std::errc() && result.ptr == text.data() + text.size()) return integer;
  }
  double number = 0;
  auto result = std::from_chars(text.data(), text.data() + text.size(), number);
  if (result.ec != std::errc()) throw StoreError("unreadable DynamoDB number: " + std::string(text));
  return number;
}

json::object to_attributes(const json::object& item);

json::value to_attribute(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return json::object{{"S", value.get_string()}};
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return json::object{{"N", number_text(value)}};
    case json::kind::bool_:
      return json::object{{"BOOL", value.get_bool()}};
    case json::kind::null:
      return json::object{{"NULL", true}};
    case json::kind::object:
      return json::object{{"M", to_attributes(value.get_object())}};
    case json::kind::array: {
      json::array list;
      for (const auto& element : value.get_array()) list.push_back(to_attribute(element));
      return json::object{{"L", std::move(list)}};
    }
  }
  throw std::invalid_argument("value cannot be stored in DynamoDB");
}

json::object to_attributes(const json::object& item) {
  json::object out;
  for (const auto& [name, value] : item) out[name] = to_attribute(value);
  return out;
}

Item from_attributes(const json::object& attributes);

json::value from_attribute(const json::value& attribute) {
  const auto& typed = attribute.as_object();
  if (typed.empty()) throw StoreError("empty DynamoDB attribute value");
  const auto& [type, value] = *typed.begin();
  if (type == "S") return value.as_string();
  if (type == "N") return number_value(value.as_string());
  if (type == "BOOL") return value.as_bool();
  if (type == "NULL") return nullptr;
  if (type == "M") return from_attributes(value.as_object());
  if (type == "L") {
    json::array list;
    for (const auto& element : value.as_array()) list.push_back(from_attribute(element));
    return list;
  }
  throw StoreError("unsupported DynamoDB attribute type " + std::string(type));
}

Item from_attributes(const json::object& attributes) {
  Item item;
  for (const auto& [name, attribute] : attributes) item[name] = from_attribute(attribute);
  return item;
}

json::object key_attributes(const Key& key) {
  return {{"PK", json::object{{"S", key.pk}}}, {"SK", json::object{{"S", key.sk}}}};
}

bool is_live(const Item& item, std::int64_t now) {
  auto ttl = json_int(item, kTtl);
  return !ttl || *ttl > now;
}

// ---- Expressions: every attribute name and value goes through a placeholder (reserved words, types) ----

// `text` as an operand of AND: parenthesized only when it joins terms with OR outside any parenthesis,
// the one case where precedence needs it. DynamoDB refuses every other parenthesis as redundant
// ("((a = b))", "a OR (b AND c)"), so expressions carry exactly the ones precedence requires.
std::string and_operand(const std::string& text) {
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    if (depth == 0 && text.compare(i, 4, " OR ") == 0) return "(" + text + ")";
  }
  return text;
}

class Expression {
 public:
  explicit Expression(std::int64_t now) : now_(now) {}

  std::string name(std::string_view attribute) {
    auto [it, inserted] = name_placeholders_.try_emplace(std::string(attribute));
    if (inserted) {
      it->second = "#n" + std::to_string(name_placeholders_.size() - 1);
      names_[it->second] = attribute;
    }
    return it->second;
  }

  std::string value(std::string_view text) { return value(json::value(text)); }
  std::string value(const json::value& value) {
    auto placeholder = ":v" + std::to_string(values_.size());
    values_[placeholder] = to_attribute(value);
    return placeholder;
  }

  // The item is not expired (an absent TTL never expires).
  std::string live() { return "attribute_not_exists(" + name(kTtl) + ") OR " + name(kTtl) + " > " + now(); }

  std::string condition(const Condition& condition) {
    using Op = Condition::Op;
    switch (condition.op) {
      case Op::exists:
        return "attribute_exists(" + name(condition.attribute) + ")";
      case Op::not_exists:
        return "attribute_not_exists(" + name(condition.attribute) + ")";
      case Op::equals:
        return comparison(condition, " = ");
      case Op::less:
        return comparison(condition, " < ");
      case Op::less_equal:
        return comparison(condition, " <= ");
      case Op::greater:
        return comparison(condition, " > ");
      case Op::greater_equal:
        return comparison(condition, " >= ");
      case Op::all_of:
        return combination(condition.children, " AND ", true);
      case Op::any_of:
        return combination(condition.children, " OR ", false);
    }
    throw std::invalid_argument("unknown condition");
  }

  // The port's condition with an expired item counting as absent (see the header).
  std::string absence_aware(const Condition& condition) {
    if (rules::condition_holds(condition, nullptr))
      return this->condition(condition) + " OR " + name(kTtl) + " <= " + now();
    return and_operand(live()) + " AND " + and_operand(this->condition(condition));
  }

  std::string update(const Update& update) {
    std::string set, remove, add;
    for (const auto& [attribute, value] : update.set)
      set += (set.empty() ? "SET " : ", ") + name(attribute) + " = " + this->value(value);
    for (const auto& attribute : update.remove)
      remove += (remove.empty() ? " REMOVE " : ", ") + name(attribute);
    for (const auto& [attribute, delta] : update.add)
      add += (add.empty() ? " ADD " : ", ") + name(attribute) + " " + value(delta);
    return set + remove + add;
  }

  void attach(json::object& request) const {
    if (!names_.empty()) request["ExpressionAttributeNames"] = names_;
    if (!values_.empty()) request["ExpressionAttributeValues"] = values_;
  }

 private:
  std::string now() {
    if (now_placeholder_.empty()) now_placeholder_ = value(now_);
    return now_placeholder_;
  }

  std::string comparison(const Condition& condition, std::string_view op) {
    return name(condition.attribute) + std::string(op) + value(condition.value);
  }

  // DynamoDB has no literal true/false; an empty all_of/any_of is written as an always-true/false test.
  std::string combination(const std::vector<Condition>& children, std::string_view op, bool empty_value) {
    if (children.empty()) {
      auto pk = name("PK");
      return empty_value ? "attribute_exists(" + pk + ") OR attribute_not_exists(" + pk + ")"
                         : "attribute_exists(" + pk + ") AND attribute_not_exists(" + pk + ")";
    }
    std::string out;
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (i) out += op;
      out += op == " AND " ? and_operand(condition(children[i])) : condition(children[i]);
    }
    return out;
  }

  std::int64_t now_;
  std::string now_placeholder_;
  std::map<std::string, std::string> name_placeholders_;
  json::object names_;
  json::object values_;
};

// The update's condition: the port's condition on a live item (an expired item is handled by the caller).
void add_update(json::object& request, const Update& update, const std::optional<Condition>& condition,
                Expression& expression) {
  auto text = expression.update(update);
  if (!text.empty()) request["UpdateExpression"] = text;
  request["ConditionExpression"] =
      condition ? and_operand(expression.live()) + " AND " + and_operand(expression.condition(*condition))
                : expression.live();
}

// An update refused only because its item had expired succeeds once the expired item is gone.
bool update_may_need_purge(const std::optional<Condition>& condition) {
  return !condition || rules::condition_holds(*condition, nullptr);
}

// ---- Error classification ----

struct ErrorResponse {
  std::string
      code;  // "ThrottlingException", from "__type": "com.amazon.coral.availability#ThrottlingException"
  std::string message;
  std::vector<std::string> cancellation_codes;  // TransactionCanceledException: one per operation
};

ErrorResponse parse_error(const net::HttpResponse& response) {
  ErrorResponse error;
  json::object body;
  boost::system::error_code ec;
  if (auto parsed = json::parse(response.body, ec); !ec && parsed.is_object())
    body = std::move(parsed.as_object());
  auto type = json_string(body, "__type");
  error.code = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
  if (error.code.empty())
    error.code = response.status >= 500 ? "ServiceUnavailable" : "HTTP" + std::to_string(response.status);
  error.message = json_string(body, "message", json_string(body, "Message", response.body));
  if (const auto* reasons = body.if_contains("CancellationReasons"); reasons && reasons->is_array()) {
    for (const auto& reason : reasons->get_array())
      error.cancellation_codes.push_back(reason.is_object() ? json_string(reason.get_object(), "Code") : "");
  } else if (error.code == "TransactionCanceledException") {
    // Without the structured list, the message ends with them: "... reasons [None, ConditionalCheckFailed]".
    auto open = error.message.rfind('['), close = error.message.rfind(']');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      std::string_view list(error.message.data() + open + 1, close - open - 1);
      while (!list.empty()) {
        auto comma = list.find(',');
        auto code = list.substr(0, comma);
        while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
        error.cancellation_codes.emplace_back(code);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
  }
  return error;
}

bool is_throttle_code(std::string_view code) {
  return code == "ProvisionedThroughputExceededException" || code == "ThrottlingException" ||
         code == "RequestLimitExceeded" || code == "ThrottlingError" ||
         code == "ProvisionedThroughputExceeded";
}

bool is_transient_code(std::string_view code) {
  return code == "TransactionConflictException" || code == "TransactionConflict" ||
         code == "TransactionInProgressException" || code == "InternalServerError" ||
         code == "ServiceUnavailable";
}

enum class Disposition { retry_throttled, retry_unavailable, fail };

Disposition classify(long status, const ErrorResponse& error) {
  if (is_throttle_code(error.code)) return Disposition::retry_throttled;
  if (is_transient_code(error.code) || status >= 500) return Disposition::retry_unavailable;
  if (error.code == "TransactionCanceledException") {
    // Retryable only when no operation failed for good (a condition, a validation error...).
    bool any_throttle = false, any_failure = false;
    for (const auto& code : error.cancellation_codes) {
      if (code.empty() || code == "None") continue;
      if (is_throttle_code(code)) {
        any_throttle = true;
      } else if (!is_transient_code(code)) {
        any_failure = true;
      }
    }
    if (!any_failure && !error.cancellation_codes.empty())
      return any_throttle ? Disposition::retry_throttled : Disposition::retry_unavailable;
  }
  return Disposition::fail;
}

[[noreturn]] void throw_mapped(const ErrorResponse& error) {
  if (error.code == "ConditionalCheckFailedException") throw ConditionFailed(-1);
  if (error.code == "TransactionCanceledException") {
    for (std::size_t i = 0; i < error.cancellation_codes.size(); ++i)
      if (error.cancellation_codes[i] == "ConditionalCheckFailed") throw ConditionFailed(static_cast<int>(i));
  }
  if (error.code == "ValidationException") throw std::invalid_argument("DynamoDB: " + error.message);
  if (error.code == "ResourceNotFoundException" || error.code == "UnrecognizedClientException" ||
      error.code == "AccessDeniedException" || error.code == "MissingAuthenticationTokenException" ||
      error.code == "InvalidSignatureException" || error.code == "ExpiredTokenException" ||
      error.code == "IncompleteSignatureException")
    throw StoreUnavailable("DynamoDB: " + error.code + ": " + error.message);
  throw ServiceError(error.code.empty() ? "UnknownError" : error.code, error.message);
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

namespace {

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
  auto partition = expression.name(query.on_gsi1 ? "GSI1PK" : "PK");
  auto key_condition = partition + " = " + expression.value(query.partition);
  // Every placeholder must be used, so the sort key's name is only made when there is a sort condition.
  auto sort =
      query.sort.op == SortOp::none ? std::string() : expression.name(query.on_gsi1 ? "GSI1SK" : "SK");
  const auto& value = query.sort.value;
  switch (query.sort.op) {
    case SortOp::none:
      break;
    case SortOp::equals:
      key_condition += " AND " + sort + " = " + expression.value(value);
      break;
    case SortOp::begins_with:
      key_condition += " AND begins_with(" + sort + ", " + expression.value(value) + ")";
      break;
    case SortOp::between:
      key_condition += " AND " + sort + " BETWEEN " + expression.value(value) + " AND " +
                       expression.value(query.sort.value2);
      break;
    case SortOp::less:
      key_condition += " AND " + sort + " < " + expression.value(value);
      break;
    case SortOp::less_equal:
      key_condition += " AND " + sort + " <= " + expression.value(value);
      break;
    case SortOp::greater:
      key_condition += " AND " + sort + " > " + expression.value(value);
      break;
    case SortOp::greater_equal:
      key_condition += " AND " + sort + " >= " + expression.value(value);
      break;
  }
  json::object request{{"TableName", options_.table_name},
                       {"KeyConditionExpression", key_condition},
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
