#include "adapters/sqlite/item_table.hpp"

#include <stdexcept>
#include <variant>
#include <vector>

#include "adapters/sqlite/item_rules.hpp"

namespace kefir::store::sqlite {
namespace {

Item parse_item(const Connection& db, std::string_view data) {
  boost::system::error_code error;
  json::value value = json::parse(data, error);
  if (error || !value.is_object()) {
    throw_unavailable(db.path(), "reading an item", SQLITE_CORRUPT, "its stored JSON is not an object");
  }
  return std::move(value.as_object());
}

// The smallest string greater than every string starting with `prefix`, in byte order; none for "" or
// "\xff...".
std::optional<std::string> prefix_successor(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last < 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

std::string required_string(const json::object& key, std::string_view name) {
  const auto* value = key.if_contains(name);
  if (!value || !value->is_string()) {
    throw std::invalid_argument("start_after lacks the string attribute " + std::string(name));
  }
  return std::string(value->get_string());
}

// A SELECT assembled from the query's parts with positional parameters in the order they appear.
class QuerySql {
 public:
  void add(std::string_view sql) { sql_ += sql; }
  void add(std::string_view sql, std::string value) {
    sql_ += sql;
    parameters_.emplace_back(std::move(value));
  }
  void add(std::string_view sql, std::int64_t value) {
    sql_ += sql;
    parameters_.emplace_back(value);
  }

  Statement& prepare(Connection& db) const {
    Statement& statement = db.prepared(sql_);
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      std::visit([&](const auto& value) { statement.bind(index, value); }, parameters_[i]);
    }
    return statement;
  }

 private:
  std::string sql_;
  std::vector<std::variant<std::string, std::int64_t>> parameters_;
};

void add_sort_condition(QuerySql& sql, const std::string& column, const SortCondition& sort) {
  switch (sort.op) {
    case SortOp::none:
      return;
    case SortOp::equals:
      return sql.add(" AND " + column + " = ?", sort.value);
    case SortOp::begins_with:
      sql.add(" AND " + column + " >= ?", sort.value);
      if (auto upper = prefix_successor(sort.value)) sql.add(" AND " + column + " < ?", *upper);
      return;
    case SortOp::between:
      sql.add(" AND " + column + " >= ?", sort.value);
      return sql.add(" AND " + column + " <= ?", sort.value2);
    case SortOp::less:
      return sql.add(" AND " + column + " < ?", sort.value);
    case SortOp::less_equal:
      return sql.add(" AND " + column + " <= ?", sort.value);
    case SortOp::greater:
      return sql.add(" AND " + column + " > ?", sort.value);
    case SortOp::greater_equal:
      return sql.add(" AND " + column + " >= ?", sort.value);
  }
}

// Items after the start key in the query's order. On GSI1 several items may share a sort key, so the order
// (and the start key) continues with the table key, as DynamoDB's LastEvaluatedKey for an index does.
void add_start_after(QuerySql& sql, const Query& query) {
  if (!query.start_after) return;
  const auto& key = *query.start_after;
  const char* after = query.forward ? " > " : " < ";
  if (!query.on_gsi1) return sql.add(std::string(" AND SK") + after + "?", required_string(key, "SK"));
  sql.add(std::string(" AND (GSI1SK, PK, SK)") + after + "(?", required_string(key, "GSI1SK"));
  sql.add(", ?", required_string(key, "PK"));
  sql.add(", ?)", required_string(key, "SK"));
}

}  // namespace

Row row_of(const Item& item) {
  Row row{json_string(item, "PK"), json_string(item, "SK"), {}, {}, {}, json::serialize(item)};
  if (row.data.size() > kMaxItemBytes) {
    throw std::invalid_argument("item " + row.pk + "/" + row.sk + " is larger than 400 KB");
  }
  const auto* gsi1pk = item.if_contains("GSI1PK");
  const auto* gsi1sk = item.if_contains("GSI1SK");
  if (gsi1pk && gsi1sk && gsi1pk->is_string() && gsi1sk->is_string()) {
    row.gsi1pk = std::string(gsi1pk->get_string());
    row.gsi1sk = std::string(gsi1sk->get_string());
  }
  if (const auto* ttl = item.if_contains("TTL"); ttl && ttl->is_number()) row.ttl = json_int(item, "TTL");
  return row;
}

void create_schema(Connection& db) {
  db.execute(
      "CREATE TABLE IF NOT EXISTS items ("
      "PK TEXT NOT NULL, SK TEXT NOT NULL, GSI1PK TEXT, GSI1SK TEXT, TTL INTEGER, data TEXT NOT NULL, "
      "PRIMARY KEY (PK, SK)) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS items_gsi1 ON items (GSI1PK, GSI1SK, PK, SK) WHERE GSI1PK IS NOT NULL;"
      "CREATE INDEX IF NOT EXISTS items_ttl ON items (TTL) WHERE TTL IS NOT NULL;");
}

namespace {

// The stored text of the live item at `key`, handed to `take` while the statement holds it.
template <typename Take>
auto find_row(Connection& db, const Key& key, std::int64_t now, Take take)
    -> std::optional<decltype(take({}))> {
  auto& statement = db.prepared("SELECT data, TTL FROM items WHERE PK = ? AND SK = ?");
  ResetOnExit reset(statement);
  statement.bind(1, key.pk).bind(2, key.sk);
  if (!statement.step()) return std::nullopt;
  if (!statement.is_null(1) && statement.integer(1) <= now) return std::nullopt;
  return take(statement.text(0));
}

}  // namespace

std::optional<Item> find_item(Connection& db, const Key& key, std::int64_t now) {
  return find_row(db, key, now, [&](std::string_view data) { return parse_item(db, data); });
}

std::optional<std::string> find_document(Connection& db, const Key& key, std::int64_t now) {
  return find_row(db, key, now, [](std::string_view data) { return std::string(data); });
}

bool item_present(Connection& db, const Key& key, std::int64_t now) {
  return find_row(db, key, now, [](std::string_view) { return true; }).has_value();
}

void write_row(Connection& db, const Row& row) {
  auto& statement = db.prepared(
      "INSERT OR REPLACE INTO items (PK, SK, GSI1PK, GSI1SK, TTL, data) VALUES (?, ?, ?, ?, ?, ?)");
  ResetOnExit reset(statement);
  statement.bind(1, row.pk).bind(2, row.sk).bind(6, row.data);
  if (row.gsi1pk) {
    statement.bind(3, *row.gsi1pk).bind(4, *row.gsi1sk);
  }
  if (row.ttl) statement.bind(5, *row.ttl);
  statement.run();
}

void rewrite_row(Connection& db, const Row& row) {
  auto& statement =
      db.prepared("UPDATE items SET GSI1PK = ?3, GSI1SK = ?4, TTL = ?5, data = ?6 WHERE PK = ?1 AND SK = ?2");
  ResetOnExit reset(statement);
  statement.bind(1, row.pk).bind(2, row.sk).bind(6, row.data);
  if (row.gsi1pk) statement.bind(3, *row.gsi1pk).bind(4, *row.gsi1sk);
  if (row.ttl) statement.bind(5, *row.ttl);
  statement.run();
}

void delete_item(Connection& db, const Key& key) {
  auto& statement = db.prepared("DELETE FROM items WHERE PK = ? AND SK = ?");
  ResetOnExit reset(statement);
  statement.bind(1, key.pk).bind(2, key.sk).run();
}

namespace {

// Runs the query and hands each row's stored text to `on_row`; returns the key to resume after when more rows
// follow the limit.
template <typename OnRow>
std::optional<json::object> query_rows(Connection& db, const Query& query, std::int64_t now, OnRow on_row) {
  const std::string partition_column = query.on_gsi1 ? "GSI1PK" : "PK";
  const std::string sort_column = query.on_gsi1 ? "GSI1SK" : "SK";
  QuerySql sql;
  // SQLite decodes every selected column of every row: the keys a next query resumes after are taken from the
  // stored item of the one row that needs them instead (~4 % of a built list page's instructions).
  sql.add("SELECT data FROM items WHERE " + partition_column + " = ?", query.partition);
  add_sort_condition(sql, sort_column, query.sort);
  add_start_after(sql, query);
  sql.add(" AND (TTL IS NULL OR TTL > ?)", now);
  const char* direction = query.forward ? " ASC" : " DESC";
  if (query.on_gsi1) {
    sql.add(std::string(" ORDER BY GSI1SK") + direction + ", PK" + direction + ", SK" + direction);
  } else {
    sql.add(std::string(" ORDER BY SK") + direction);
  }
  // One row beyond the limit tells whether another page exists.
  if (query.limit > 0) sql.add(" LIMIT ?", static_cast<std::int64_t>(query.limit) + 1);

  Statement& statement = sql.prepare(db);
  ResetOnExit reset(statement);
  std::size_t rows = 0;
  std::string last_returned;  // the stored item of the limit's row
  while (statement.step()) {
    if (query.limit > 0 && rows == query.limit)
      return resume_key_after(parse_item(db, last_returned), query.on_gsi1);
    const auto data = statement.text(0);
    on_row(data);
    if (++rows == query.limit) last_returned.assign(data);
  }
  return std::nullopt;
}

}  // namespace

QueryPage query_items(Connection& db, const Query& query, std::int64_t now) {
  QueryPage page;
  page.last_key =
      query_rows(db, query, now, [&](std::string_view data) { page.items.push_back(parse_item(db, data)); });
  return page;
}

DocumentPage query_documents(Connection& db, const Query& query, std::int64_t now) {
  DocumentPage page;
  page.last_key = query_rows(db, query, now, [&](std::string_view data) { page.documents.push_back(data); });
  return page;
}

std::size_t purge_expired_items(Connection& db, std::int64_t now, std::size_t limit) {
  auto& statement =
      db.prepared("DELETE FROM items WHERE (PK, SK) IN (SELECT PK, SK FROM items WHERE TTL <= ? LIMIT ?)");
  ResetOnExit reset(statement);
  statement.bind(1, now).bind(2, static_cast<std::int64_t>(limit)).run();
  return static_cast<std::size_t>(db.changes());
}

}  // namespace kefir::store::sqlite
