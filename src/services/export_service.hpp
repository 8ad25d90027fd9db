#pragma once
// The CSV export (SPEC §8): every batch, event, reminder, device and sensor reading of a user as one RFC 4180
// table
// (`record_type` first, then the union of the record types' columns), or one type's own table. The file is
// produced chunk by chunk while the store is read a page at a time, so memory stays flat whatever the size.
// Cells hold what the API returns for the record (its JSON fields); arrays and objects as compact JSON.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ports/blob_store.hpp"
#include "services/context.hpp"

namespace kefir::services {

// Readings come last, each batch's after those of the batches before it: batchId, sensorId, time,
// temperatureC, ph, gravity, gravityUnit.
enum class RecordType { batch, event, reminder, device, reading };

// The `?type=` parameter: absent means every type; anything but batches|events|reminders|devices|readings is
// a 400.
std::optional<RecordType> parse_export_type(const std::optional<std::string>& value);

// "kefir-data-20260115T100000Z.csv"
std::string export_file_name(TimePoint now);

class ExportWriter {
 public:
  ExportWriter(ServiceContext& ctx, std::string user_id, std::optional<RecordType> only);
  ~ExportWriter();
  ExportWriter(const ExportWriter&) = delete;
  ExportWriter& operator=(const ExportWriter&) = delete;

  // The next part of the file (the header row first); nullopt once everything was returned.
  std::optional<std::string> next_chunk();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The whole export written to a generated file in the blob store, with a presigned download link (the mobile
// client's POST /export/batches/csv, and GET /export.csv where responses cannot stream). The file lives under
// photo::export_prefix for photo::kExportLifetime.
blob::PresignedRequest publish_export(ServiceContext& ctx, const std::string& user_id,
                                      std::optional<RecordType> only);

}  // namespace kefir::services
