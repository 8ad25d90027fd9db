#pragma once
// DynamoDB's condition, update and key-condition expressions for the port's requests. Every attribute name
// and value goes through a placeholder (#n0, :v0), so reserved words and value types never matter.
//
// Expired items (TTL <= now, not yet purged by DynamoDB) must count as absent, so the expressions carry the
// time: live() is "not expired", and absence_aware() rewrites a condition C that holds on an absent item as
// `(C) OR #TTL <= :now` and any other as `(attribute_not_exists(#TTL) OR #TTL > :now) AND (C)`.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ports/item_store.hpp"

namespace kefir::store::dynamodb {

inline constexpr std::string_view kTtl = "TTL";

// Whether `item` is not expired at `now` (epoch seconds); an item without TTL never expires.
bool is_live(const Item& item, std::int64_t now);

// The placeholders of one request (or of one operation of a transaction), as expressions are written.
class Expression {
 public:
  explicit Expression(std::int64_t now) : now_(now) {}

  std::string name(std::string_view attribute);
  std::string value(std::string_view text) { return value(json::value(text)); }
  std::string value(const json::value& value);

  // The item is not expired (an absent TTL never expires).
  std::string live();
  std::string condition(const Condition& condition);
  // The port's condition with an expired item counting as absent.
  std::string absence_aware(const Condition& condition);
  std::string update(const Update& update);
  // The query's partition and sort key conditions, on the table's keys or GSI1's.
  std::string key_condition(const Query& query);

  // Adds ExpressionAttributeNames/Values for the placeholders used.
  void attach(json::object& request) const;

 private:
  std::string now();
  std::string comparison(const Condition& condition, std::string_view op);
  std::string combination(const std::vector<Condition>& children, std::string_view op, bool empty_value);

  std::int64_t now_;
  std::string now_placeholder_;
  std::map<std::string, std::string> name_placeholders_;
  json::object names_;
  json::object values_;
};

// Adds UpdateExpression and a ConditionExpression that requires a live item and the port's condition (an
// expired item is the caller's to purge: UpdateItem would merge into its stale attributes).
void add_update(json::object& request, const Update& update, const std::optional<Condition>& condition,
                Expression& expression);

}  // namespace kefir::store::dynamodb
