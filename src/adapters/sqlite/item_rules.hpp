#pragma once
// The port's item semantics evaluated in C++ (SQLite has no condition or update expressions of DynamoDB's
// kind): condition checks on the current item, the result of an update, and the request validation DynamoDB
// would do. Invalid requests are programming errors and throw std::invalid_argument.
#include <optional>
#include <vector>

#include "ports/item_store.hpp"

namespace kefir::store::sqlite {

// DynamoDB's item size limit, applied to the item's JSON so both stores accept the same items.
inline constexpr std::size_t kMaxItemBytes = 400 * 1024;

// `item` is null when the item is absent (or expired).
bool condition_holds(const Condition& condition, const Item* item);
// Whether `condition` asks only whether the item exists (a key attribute's presence): its row tells, unread.
bool about_presence_only(const Condition& condition);
// Throws ConditionFailed(index) when a condition is given and does not hold.
void require(const std::optional<Condition>& condition, const Item* item, int index = -1);

// The item after `update`; a missing item starts as just its key.
Item updated_item(const Key& key, const Item* current, const Update& update);

void validate_item(const Item& item);
void validate_key(const Key& key);
void validate_update(const Update& update);
// 1..25 items (an append counts two) on distinct, valid keys.
void validate_transaction(const std::vector<WriteOp>& operations, const std::vector<LogAppend>& appends = {});

}  // namespace kefir::store::sqlite
