#pragma once
// The WatermelonDB sync protocol's record shape (issue 17, GET/POST /sync/watermelon): a "raw record" is the
// record's `id` and its columns in snake_case, each a string, number, boolean or null. Pure: no I/O.
//
// The feed's records (services/sync_service.hpp) become raw records and pushed raw records become the records
// POST /sync takes, so both protocols share one feed and one push path.
#include <string>
#include <string_view>

#include "util/json.hpp"

namespace kefir::watermelon {

std::string snake_case(std::string_view camel);
std::string camel_case(std::string_view snake);

// A feed record of `table` as a raw record: the record's own id field (batchId of a batch...) only as `id`,
// arrays and objects (fruits, metadata...) as JSON text, as a WatermelonDB `@json` column holds them.
json::object to_raw(std::string_view table, const json::object& record);
// A feed page's `changes`, every record as a raw record (`deleted` stays a list of ids).
json::object to_raw_changes(const json::object& changes);

// A pushed `changes` object ({table: {created, updated, deleted}}) as POST /sync's `changes`: columns in
// camelCase, JSON-text columns parsed, WatermelonDB's own bookkeeping columns (`_status`, `_changed`)
// dropped, and empty lists left out (a WatermelonDB client sends every table, changed or not). Anything that
// is not that shape is a 400 naming where it is, as the client sent it ("batches.updated[0].fruits").
json::object from_raw_changes(const json::object& changes);

// A problem POST /sync names in its own terms ("changes.batches.updated[0].startDate") as the client of
// /sync/watermelon sent it ("batches.updated[0].start_date").
std::string pushed_field_name(std::string_view sync_field);

}  // namespace kefir::watermelon
