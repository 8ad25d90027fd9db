#pragma once
// The items table: the whole item as JSON plus the key, GSI1 and TTL columns extracted from it, so that key
// lookups, GSI1 queries and the TTL purge run on indexes.
#include <cstdint>
#include <optional>
#include <string>

#include "adapters/sqlite/sqlite_connection.hpp"
#include "ports/item_store.hpp"

namespace kefir::store::sqlite {

// An item ready to be written; built outside the writer thread when possible to keep group commits short.
struct Row {
  std::string pk;
  std::string sk;
  std::optional<std::string> gsi1pk;  // both GSI1 columns or neither: the index is sparse
  std::optional<std::string> gsi1sk;
  std::optional<std::int64_t> ttl;
  std::string data;
};
Row row_of(const Item& item);

void create_schema(Connection& db);

// The item if present and not expired at `now` (epoch seconds).
std::optional<Item> find_item(Connection& db, const Key& key, std::int64_t now);
std::optional<std::string> find_document(Connection& db, const Key& key, std::int64_t now);
// Whether a live item is at `key`, without reading it.
bool item_present(Connection& db, const Key& key, std::int64_t now);
void write_row(Connection& db, const Row& row);
// The same for a row known to exist: an UPDATE leaves the index entries whose columns did not change alone,
// where INSERT OR REPLACE deletes and reinserts the row and every index entry (a quarter less work per
// reminder claim).
void rewrite_row(Connection& db, const Row& row);
void delete_item(Connection& db, const Key& key);
QueryPage query_items(Connection& db, const Query& query, std::int64_t now);
DocumentPage query_documents(Connection& db, const Query& query, std::int64_t now);
// Deletes up to `limit` items expired at `now`; returns how many.
std::size_t purge_expired_items(Connection& db, std::int64_t now, std::size_t limit);

}  // namespace kefir::store::sqlite
