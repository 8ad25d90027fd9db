#include "adapters/sqlite/item_rules.hpp"

#include <algorithm>
#include <compare>
#include <stdexcept>
#include <utility>

namespace kefir::store::sqlite {
namespace {

template <class A, class B>
std::partial_ordering compare_integers(A a, B b) {
  if (std::cmp_less(a, b)) return std::partial_ordering::less;
  if (std::cmp_equal(a, b)) return std::partial_ordering::equivalent;
  return std::partial_ordering::greater;
}

// Numbers compare by value whatever their JSON kind (DynamoDB has one number type).
std::partial_ordering compare_numbers(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double()) return a.to_number<double>() <=> b.to_number<double>();
  if (a.is_int64() && b.is_int64()) return compare_integers(a.get_int64(), b.get_int64());
  if (a.is_uint64() && b.is_uint64()) return compare_integers(a.get_uint64(), b.get_uint64());
  if (a.is_int64()) return compare_integers(a.get_int64(), b.get_uint64());
  return compare_integers(a.get_uint64(), b.get_int64());
}

// Strings compare by bytes, numbers by value; other pairs are unordered.
std::partial_ordering compare(const json::value& a, const json::value& b) {
  if (a.is_string() && b.is_string()) {
    return std::string_view(a.get_string()) <=> std::string_view(b.get_string());
  }
  if (a.is_number() && b.is_number()) return compare_numbers(a, b);
  return std::partial_ordering::unordered;
}

bool equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
  return a == b;
}

bool is_key_attribute(std::string_view name) {
  return name == "PK" || name == "SK";
}

void require_non_empty_string(const Item& item, std::string_view name, bool required) {
  const auto* value = item.if_contains(name);
  if (!value) {
    if (required) throw std::invalid_argument("item has no " + std::string(name));
    return;
  }
  if (!value->is_string() || value->get_string().empty()) {
    throw std::invalid_argument("item attribute " + std::string(name) + " must be a non-empty string");
  }
}

json::value added(const json::value* current, std::int64_t delta, const std::string& name) {
  if (!current) return delta;
  if (current->is_double()) return current->get_double() + static_cast<double>(delta);
  if (current->is_int64()) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(current->get_int64(), delta, &sum)) {
      throw std::invalid_argument("ADD overflows attribute " + name);
    }
    return sum;
  }
  if (current->is_uint64()) return current->get_uint64() + static_cast<std::uint64_t>(delta);
  throw std::invalid_argument("ADD on non-number attribute " + name);
}

Key key_of_operation(const WriteOp& operation) {
  return std::visit(
      [](const auto& op) -> Key {
        if constexpr (std::is_same_v<std::decay_t<decltype(op)>, Put>) {
          validate_item(op.item);
          return key_of(op.item);
        } else {
          validate_key(op.key);
          return op.key;
        }
      },
      operation);
}

}  // namespace

bool condition_holds(const Condition& condition, const Item* item) {
  using Op = Condition::Op;
  switch (condition.op) {
    case Op::all_of:
      for (const auto& child : condition.children) {
        if (!condition_holds(child, item)) return false;
      }
      return true;
    case Op::any_of:
      for (const auto& child : condition.children) {
        if (condition_holds(child, item)) return true;
      }
      return false;
    default:
      break;
  }
  const json::value* value = item ? item->if_contains(condition.attribute) : nullptr;
  if (condition.op == Op::not_exists) return value == nullptr;
  if (!value) return false;
  switch (condition.op) {
    case Op::exists:
      return true;
    case Op::equals:
      return equal(*value, condition.value);
    case Op::less:
      return compare(*value, condition.value) < 0;
    case Op::less_equal:
      return compare(*value, condition.value) <= 0;
    case Op::greater:
      return compare(*value, condition.value) > 0;
    case Op::greater_equal:
      return compare(*value, condition.value) >= 0;
    default:
      return false;
  }
}

bool about_presence_only(const Condition& condition) {
  using Op = Condition::Op;
  return (condition.op == Op::exists || condition.op == Op::not_exists) &&
         (condition.attribute == "PK" || condition.attribute == "SK");
}

void require(const std::optional<Condition>& condition, const Item* item, int index) {
  if (condition && !condition_holds(*condition, item)) throw ConditionFailed(index);
}

Item updated_item(const Key& key, const Item* current, const Update& update) {
  Item item = current ? *current : Item{{"PK", key.pk}, {"SK", key.sk}};
  for (const auto& [name, value] : update.set) item[name] = value;
  for (const auto& name : update.remove) item.erase(name);
  for (const auto& [name, delta] : update.add) item[name] = added(item.if_contains(name), delta, name);
  return item;
}

void validate_key(const Key& key) {
  if (key.pk.empty() || key.sk.empty()) throw std::invalid_argument("item key attributes must be non-empty");
}

void validate_item(const Item& item) {
  require_non_empty_string(item, "PK", true);
  require_non_empty_string(item, "SK", true);
  require_non_empty_string(item, "GSI1PK", false);
  require_non_empty_string(item, "GSI1SK", false);
}

void validate_update(const Update& update) {
  // An update names a few attributes and a transaction a few items: a linear search costs less than the
  // allocations of a std::set, on every write.
  std::vector<std::string_view> touched;
  touched.reserve(update.set.size() + update.remove.size() + update.add.size());
  auto touch = [&](std::string_view name) {
    if (is_key_attribute(name))
      throw std::invalid_argument("update cannot change key attribute " + std::string(name));
    if (std::find(touched.begin(), touched.end(), name) != touched.end()) {
      throw std::invalid_argument("update names attribute " + std::string(name) + " twice");
    }
    touched.push_back(name);
  };
  for (const auto& entry : update.set) touch(entry.key());
  for (const auto& name : update.remove) touch(name);
  for (const auto& entry : update.add) touch(entry.first);
  for (const char* index_key : {"GSI1PK", "GSI1SK"}) {
    if (const auto* value = update.set.if_contains(index_key);
        value && (!value->is_string() || value->get_string().empty())) {
      throw std::invalid_argument("item attribute " + std::string(index_key) + " must be a non-empty string");
    }
  }
}

void validate_transaction(const std::vector<WriteOp>& operations, const std::vector<LogAppend>& appends) {
  const auto items = operations.size() + 2 * appends.size();
  if (items == 0 || items > kMaxTransactionItems) {
    throw std::invalid_argument("a transaction holds 1 to " + std::to_string(kMaxTransactionItems) +
                                " items, not " + std::to_string(items));
  }
  std::vector<Key> keys;
  keys.reserve(operations.size() + appends.size());
  auto name_once = [&keys](Key key) {
    if (std::any_of(keys.begin(), keys.end(),
                    [&](const Key& named) { return named.pk == key.pk && named.sk == key.sk; })) {
      throw std::invalid_argument("a transaction cannot name the same item twice");
    }
    keys.push_back(std::move(key));
  };
  for (const auto& operation : operations) {
    name_once(key_of_operation(operation));
    if (const auto* update = std::get_if<UpdateItem>(&operation)) validate_update(update->update);
  }
  for (const auto& append : appends) {
    validate_key(append.counter);
    name_once(append.counter);
  }
}

}  // namespace kefir::store::sqlite
