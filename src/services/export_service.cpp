#include "services/export_service.hpp"

#include <filesystem>
#include <fstream>
#include <functional>

#include "domain/batch.hpp"
#include "domain/csv.hpp"
#include "domain/device.hpp"
#include "domain/errors.hpp"
#include "domain/event.hpp"
#include "domain/keys.hpp"
#include "domain/photo.hpp"
#include "domain/reading.hpp"
#include "domain/reminder.hpp"
#include "util/json_text.hpp"

namespace kefir::services {
namespace {

constexpr std::size_t kPageItems = 100;
// Chunks of about this size: few enough writes, small enough to keep memory flat.
constexpr std::size_t kChunkTarget = 32 * 1024;

struct Table {
  RecordType type;
  std::string_view record_type;  // the `record_type` cell
  std::string_view sort_prefix;  // items under USER#<userId>, or in each batch's partition when per_batch
  bool per_batch;                // events and readings: found through the batches
  std::function<json::object(const store::Item&)> to_json;
  std::vector<std::string> columns;  // the API's field names, in its order
};

std::vector<std::string> field_names(const json::object& object) {
  std::vector<std::string> names;
  for (const auto& field : object) names.emplace_back(field.key());
  return names;
}

// A reading as GET /batches/{id}/readings returns it, with the batch it belongs to.
json::object reading_record(const store::Item& item) {
  const auto partition = json_string(item, "PK");
  const auto batch_prefix = keys::events_pk("");
  json::object record{{"batchId", partition.starts_with(batch_prefix) ? partition.substr(batch_prefix.size())
                                                                      : std::string()}};
  for (auto& [name, value] : readings::to_json(readings::reading_from_item(item))) record[name] = value;
  return record;
}

const std::vector<Table>& tables() {
  static const std::vector<Table> all = [] {
    std::vector<Table> list{
        {RecordType::batch,
         "batch",
         keys::kBatchPrefix,
         false,
         [](const store::Item& item) { return domain::to_json(domain::batch_from_item(item)); },
         {}},
        {RecordType::event,
         "event",
         keys::kEventPrefix,
         true,
         [](const store::Item& item) { return domain::to_json(domain::event_from_item(item)); },
         {}},
        {RecordType::reminder,
         "reminder",
         keys::kReminderPrefix,
         false,
         [](const store::Item& item) { return reminders::to_json(reminders::from_item(item)); },
         {}},
        {RecordType::device,
         "device",
         keys::kDevicePrefix,
         false,
         [](const store::Item& item) { return domain::to_json(domain::device_from_item(item)); },
         {}},
        {RecordType::reading, "reading", keys::kReadingPrefix, true, reading_record, {}},
    };
    // A default record has every field (absent optional ones as null), so the columns follow the API.
    list[0].columns = field_names(domain::to_json(domain::Batch{}));
    list[1].columns = field_names(domain::to_json(domain::Event{}));
    list[2].columns = field_names(reminders::to_json(reminders::Reminder{}));
    list[3].columns = field_names(domain::to_json(domain::Device{}));
    list[4].columns = field_names(reading_record(store::Item{}));
    return list;
  }();
  return all;
}

std::string cell_text(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return {};
    case json::kind::string:
      return std::string(value.get_string());
    case json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::double_:
      return json_text::number(value.get_double());
    default:
      return json_text::serialize(value);
  }
}

// One query read a page at a time.
struct Pager {
  store::ItemStore& store;
  store::Query query;
  bool done = false;

  std::vector<store::Item> next() {
    if (done) return {};
    query.limit = kPageItems;
    auto page = store.query(query);
    if (page.last_key)
      query.start_after = std::move(page.last_key);
    else
      done = true;
    return std::move(page.items);
  }
};

store::Query partition_query(std::string partition, std::string_view sort_prefix) {
  store::Query query;
  query.partition = std::move(partition);
  query.sort = {store::SortOp::begins_with, std::string(sort_prefix), {}};
  return query;
}

}  // namespace

std::optional<RecordType> parse_export_type(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  if (*value == "batches") return RecordType::batch;
  if (*value == "events") return RecordType::event;
  if (*value == "reminders") return RecordType::reminder;
  if (*value == "devices") return RecordType::device;
  if (*value == "readings") return RecordType::reading;
  throw domain::invalid("type", "must be one of batches, events, reminders, devices, readings");
}

std::string export_file_name(TimePoint now) {
  return "kefir-data-" + format_compact_utc(now) + ".csv";
}

struct ExportWriter::State {
  ServiceContext& ctx;
  std::string user_id;
  bool with_record_type;
  std::vector<const Table*> tables;
  std::vector<std::string> columns;  // of the file, record_type excluded
  bool header_written = false;
  std::size_t table_index = 0;
  std::optional<Pager> pager;  // of the current table (per batch: of the batches)
  // Per batch: the batch ids of the current page of batches, and the batch's partition being read.
  std::vector<std::string> batch_ids;
  std::size_t batch_index = 0;
  std::optional<Pager> timeline;

  State(ServiceContext& ctx, std::string user_id, std::optional<RecordType> only)
      : ctx(ctx), user_id(std::move(user_id)), with_record_type(!only) {
    for (const auto& table : kefir::services::tables()) {
      if (only && table.type != *only) continue;
      tables.push_back(&table);
      for (const auto& column : table.columns)
        if (std::find(columns.begin(), columns.end(), column) == columns.end()) columns.push_back(column);
    }
  }

  void append_header(std::string& out) const {
    std::vector<std::string> header;
    if (with_record_type) header.emplace_back("record_type");
    header.insert(header.end(), columns.begin(), columns.end());
    csv::append_row(out, header);
  }

  void append_rows(std::string& out, const Table& table, const std::vector<store::Item>& items) const {
    std::vector<std::string> cells;
    for (const auto& item : items) {
      auto record = table.to_json(item);
      cells.clear();
      if (with_record_type) cells.emplace_back(table.record_type);
      for (const auto& column : columns) {
        auto* value = record.if_contains(column);
        cells.push_back(value ? cell_text(*value) : std::string());
      }
      csv::append_row(out, cells);
    }
  }

  // Appends the next page of the current table; false (nothing appended) once the table is exhausted.
  bool append_page(std::string& out) {
    const Table& table = *tables[table_index];
    if (!pager) {
      auto prefix = table.per_batch ? keys::kBatchPrefix : table.sort_prefix;
      pager.emplace(Pager{*ctx.store, partition_query(keys::user_pk(user_id), prefix)});
    }
    if (!table.per_batch) {
      auto items = pager->next();
      append_rows(out, table, items);
      return !items.empty() || !pager->done;
    }
    while (true) {
      if (timeline && !timeline->done) {
        auto items = timeline->next();
        append_rows(out, table, items);
        if (!items.empty()) return true;
        continue;
      }
      if (batch_index < batch_ids.size()) {
        timeline.emplace(
            Pager{*ctx.store, partition_query(keys::events_pk(batch_ids[batch_index++]), table.sort_prefix)});
        continue;
      }
      if (pager->done) return false;
      batch_ids.clear();
      batch_index = 0;
      for (const auto& item : pager->next()) batch_ids.push_back(json_string(item, "batchId"));
    }
  }

  std::optional<std::string> next_chunk() {
    std::string out;
    if (!header_written) {
      append_header(out);
      header_written = true;
    }
    while (out.size() < kChunkTarget && table_index < tables.size()) {
      if (append_page(out)) continue;
      ++table_index;
      pager.reset();
      timeline.reset();
      batch_ids.clear();
      batch_index = 0;
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
};

ExportWriter::ExportWriter(ServiceContext& ctx, std::string user_id, std::optional<RecordType> only)
    : state_(std::make_unique<State>(ctx, std::move(user_id), only)) {}

ExportWriter::~ExportWriter() = default;

std::optional<std::string> ExportWriter::next_chunk() {
  return state_->next_chunk();
}

blob::PresignedRequest publish_export(ServiceContext& ctx, const std::string& user_id,
                                      std::optional<RecordType> only) {
  namespace fs = std::filesystem;
  auto suffix = crypto::hex_encode(crypto::random_bytes(8));
  auto temp = fs::temp_directory_path() / ("kefir-export-" + suffix + ".csv");
  struct RemoveOnExit {
    fs::path path;
    ~RemoveOnExit() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } cleanup{temp};
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    ExportWriter writer(ctx, user_id, only);
    while (auto chunk = writer.next_chunk())
      out.write(chunk->data(), static_cast<std::streamsize>(chunk->size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write the export file " + temp.string());
  }
  auto name = export_file_name(ctx.now());
  auto key = photo::export_prefix(user_id) + name.substr(0, name.size() - 4) + "-" + suffix + ".csv";
  ctx.blobs->put_file(key, "text/csv; charset=utf-8", temp.string());
  return ctx.blobs->presign_download(key, photo::kUrlLifetime);
}

}  // namespace kefir::services
