#pragma once
// Items in DynamoDB's typed JSON: every value wrapped in an AttributeValue ({"S": "text"}, {"N": "42"},
// {"BOOL": true}, {"NULL": true}, {"M": {...}}, {"L": [...]}), numbers as decimal strings.
#include "ports/item_store.hpp"

namespace kefir::store::dynamodb {

// Throws std::invalid_argument for a value DynamoDB cannot hold (a non-finite number).
json::value to_attribute(const json::value& value);
json::object to_attributes(const json::object& item);
// Throws StoreError for an attribute this adapter never writes (sets, binary) or cannot read.
Item from_attributes(const json::object& attributes);

json::object key_attributes(const Key& key);

}  // namespace kefir::store::dynamodb
