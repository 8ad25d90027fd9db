#include "adapters/dynamodb/expressions.hpp"

#include "adapters/dynamodb/attribute_values.hpp"
#include "adapters/sqlite/item_rules.hpp"

namespace kefir::store::dynamodb {
namespace {

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

}  // namespace

bool is_live(const Item& item, std::int64_t now) {
  auto ttl = json_int(item, kTtl);
  return !ttl || *ttl > now;
}

std::string Expression::name(std::string_view attribute) {
  auto [it, inserted] = name_placeholders_.try_emplace(std::string(attribute));
  if (inserted) {
    it->second = "#n" + std::to_string(name_placeholders_.size() - 1);
    names_[it->second] = attribute;
  }
  return it->second;
}

std::string Expression::value(const json::value& value) {
  auto placeholder = ":v" + std::to_string(values_.size());
  values_[placeholder] = to_attribute(value);
  return placeholder;
}

std::string Expression::live() {
  return "attribute_not_exists(" + name(kTtl) + ") OR " + name(kTtl) + " > " + now();
}

std::string Expression::condition(const Condition& condition) {
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

std::string Expression::absence_aware(const Condition& condition) {
  if (sqlite::condition_holds(condition, nullptr))
    return this->condition(condition) + " OR " + name(kTtl) + " <= " + now();
  return and_operand(live()) + " AND " + and_operand(this->condition(condition));
}

std::string Expression::update(const Update& update) {
  std::string set, remove, add;
  for (const auto& [attribute, value] : update.set)
    set += (set.empty() ? "SET " : ", ") + name(attribute) + " = " + this->value(value);
  for (const auto& attribute : update.remove)
    remove += (remove.empty() ? " REMOVE " : ", ") + name(attribute);
  for (const auto& [attribute, delta] : update.add)
    add += (add.empty() ? " ADD " : ", ") + name(attribute) + " " + value(delta);
  return set + remove + add;
}

std::string Expression::key_condition(const Query& query) {
  auto key_condition = name(query.on_gsi1 ? "GSI1PK" : "PK") + " = " + value(query.partition);
  // Every placeholder must be used, so the sort key's name is only made when there is a sort condition.
  if (query.sort.op == SortOp::none) return key_condition;
  auto sort = name(query.on_gsi1 ? "GSI1SK" : "SK");
  const auto& bound = query.sort.value;
  switch (query.sort.op) {
    case SortOp::none:
      break;
    case SortOp::equals:
      return key_condition + " AND " + sort + " = " + value(bound);
    case SortOp::begins_with:
      return key_condition + " AND begins_with(" + sort + ", " + value(bound) + ")";
    case SortOp::between:
      return key_condition + " AND " + sort + " BETWEEN " + value(bound) + " AND " + value(query.sort.value2);
    case SortOp::less:
      return key_condition + " AND " + sort + " < " + value(bound);
    case SortOp::less_equal:
      return key_condition + " AND " + sort + " <= " + value(bound);
    case SortOp::greater:
      return key_condition + " AND " + sort + " > " + value(bound);
    case SortOp::greater_equal:
      return key_condition + " AND " + sort + " >= " + value(bound);
  }
  return key_condition;
}

void Expression::attach(json::object& request) const {
  if (!names_.empty()) request["ExpressionAttributeNames"] = names_;
  if (!values_.empty()) request["ExpressionAttributeValues"] = values_;
}

std::string Expression::now() {
  if (now_placeholder_.empty()) now_placeholder_ = value(now_);
  return now_placeholder_;
}

std::string Expression::comparison(const Condition& condition, std::string_view op) {
  return name(condition.attribute) + std::string(op) + value(condition.value);
}

// DynamoDB has no literal true/false; an empty all_of/any_of is written as an always-true/false test.
std::string Expression::combination(const std::vector<Condition>& children, std::string_view op,
                                    bool empty_value) {
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

void add_update(json::object& request, const Update& update, const std::optional<Condition>& condition,
                Expression& expression) {
  auto text = expression.update(update);
  if (!text.empty()) request["UpdateExpression"] = text;
  request["ConditionExpression"] =
      condition ? and_operand(expression.live()) + " AND " + and_operand(expression.condition(*condition))
                : expression.live();
}

}  // namespace kefir::store::dynamodb
