// The CSV export over real HTTP (SPEC §8), read back by an independent RFC 4180 parser: Python's csv module.
#include <map>

#include "integration/photos_support.hpp"

namespace kefir::test::photos {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// What Python's csv module makes of the file (UTF-8, newline='' as its documentation asks).
Rows parse_with_python(const std::string& csv_text) {
  TempDir dir;
  auto path = dir.path() / "export.csv";
  write_file(path, csv_text);
  auto output =
      run("python3 -c " +
          shell_quoted("import csv, json, sys\n"
                       "with open(sys.argv[1], newline='', encoding='utf-8', errors='strict') as f:\n"
                       "    json.dump(list(csv.reader(f, strict=True)), sys.stdout)\n") +
          " " + shell_quoted(path.string()));
  if (output.exit_code != 0) throw std::runtime_error("python3 could not parse the export");
  Rows rows;
  auto parsed = json::parse(output.out);
  for (const auto& row : parsed.as_array()) {
    rows.emplace_back();
    for (const auto& cell : row.as_array()) rows.back().emplace_back(cell.as_string());
  }
  return rows;
}

// Rows as maps from column name to cell, for rows whose record_type (or, without that column, any) matches.
std::vector<std::map<std::string, std::string>> records(const Rows& rows,
                                                        const std::string& record_type = "") {
  std::vector<std::map<std::string, std::string>> out;
  const auto& header = rows.at(0);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].size(), header.size()) << "row " << i;
    std::map<std::string, std::string> record;
    for (std::size_t c = 0; c < header.size() && c < rows[i].size(); ++c) record[header[c]] = rows[i][c];
    if (record_type.empty() || record["record_type"] == record_type) out.push_back(std::move(record));
  }
  return out;
}

const std::map<std::string, std::string>& find(const std::vector<std::map<std::string, std::string>>& list,
                                               const std::string& column, const std::string& value) {
  for (const auto& record : list)
    if (record.at(column) == value) return record;
  throw std::runtime_error("no record with " + column + " = " + value);
}

class ExportCsv : public ::testing::Test {
 protected:
  ServerProcess server;
  Brewer brewer = sign_up(server);
};

TEST_F(ExportCsv, AnIndependentParserReadsBackEveryTrickyCell) {
  const std::string tricky =
      "Comma, \"quotes\" and\nnewline \xF0\x9F\x8D\x8B K\xC3\xA9"
      "fir";
  const std::string crlf_notes = "first line\r\nsecond line, with \"comma\"";
  auto tricky_id = create_batch(brewer, {{"name", tricky},
                                         {"notes", crlf_notes},
                                         {"fruits", json::array{"lemon", "fig, dried"}},
                                         {"temperature", 22.5}});
  auto formula_id = create_batch(brewer, {{"name", "=1+1"}, {"notes", "@SUM(A1:A9)"}});
  auto event = brewer.api.post("/batches/" + tricky_id + "/events",
                               {{"type", "measurement"},
                                {"description", "-5 degrees, \"cold\"\ttab"},
                                {"metadata", {{"ph", 3.5}, {"temperatureC", 21}}}});
  ASSERT_EQ(event.status, 201) << event.body;
  auto device = brewer.api.post("/me/devices", {{"deviceId", "phone-1"},
                                                {"platform", "ios"},
                                                {"token", "ExponentPushToken[abc123]"},
                                                {"deviceName", "+33 kitchen phone"}});
  ASSERT_EQ(device.status, 201) << device.body;
  auto when =
      format_rfc3339(std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()) + hours(5));
  auto reminder = brewer.api.post(
      "/batches/" + tricky_id + "/reminders/confirm",
      {{"reminders", json::array{{{"scheduledTime", when}, {"message", "Burp the \"bottles\",\nnow"}}}}});
  ASSERT_EQ(reminder.status, 201) << reminder.body;

  auto response = brewer.api.get("/export.csv");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(response.header("transfer-encoding"), "chunked");
  auto disposition = response.header("content-disposition");
  const std::string before = "attachment; filename=\"kefir-data-", after = "Z.csv\"";
  ASSERT_EQ(disposition.size(), before.size() + 15 + after.size()) << disposition;
  EXPECT_EQ(disposition.substr(0, before.size()), before);
  EXPECT_EQ(disposition.substr(disposition.size() - after.size()), after);
  auto stamp = disposition.substr(before.size(), 15);  // 20260115T100000
  EXPECT_EQ(stamp[8], 'T') << disposition;
  stamp.erase(8, 1);
  EXPECT_EQ(stamp.find_first_not_of("0123456789"), std::string::npos) << disposition;

  auto rows = parse_with_python(response.body);
  ASSERT_FALSE(rows.empty());
  const auto& header = rows[0];
  EXPECT_EQ(header.at(0), "record_type");
  for (const char* column : {"batchId", "name", "notes", "fruits", "eventId", "description", "metadata",
                             "reminderId", "message", "scheduledTime", "deviceId", "platform", "deviceName"})
    EXPECT_NE(std::find(header.begin(), header.end(), column), header.end()) << column;
  EXPECT_EQ(std::set<std::string>(header.begin(), header.end()).size(), header.size()) << "duplicate columns";

  auto batches = records(rows, "batch");
  ASSERT_EQ(batches.size(), 2u);
  const auto& tricky_row = find(batches, "batchId", tricky_id);
  EXPECT_EQ(tricky_row.at("name"), tricky);
  EXPECT_EQ(tricky_row.at("notes"), crlf_notes);
  EXPECT_EQ(tricky_row.at("fruits"), "[\"lemon\",\"fig, dried\"]");
  EXPECT_EQ(tricky_row.at("temperature"), "22.5");
  EXPECT_EQ(tricky_row.at("eventId"), "");
  const auto& formula_row = find(batches, "batchId", formula_id);
  EXPECT_EQ(formula_row.at("name"), "'=1+1");
  EXPECT_EQ(formula_row.at("notes"), "'@SUM(A1:A9)");

  auto events = records(rows, "event");
  EXPECT_EQ(events.size(), 3u);  // two "Batch started" notes and the measurement
  const auto& measurement = find(events, "type", "measurement");
  EXPECT_EQ(measurement.at("description"), "'-5 degrees, \"cold\"\ttab");
  EXPECT_EQ(measurement.at("batchId"), tricky_id);
  EXPECT_EQ(json::parse(measurement.at("metadata")), (json::value{{"ph", 3.5}, {"temperatureC", 21}}));

  auto reminders = records(rows, "reminder");
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_EQ(reminders[0].at("message"), "Burp the \"bottles\",\nnow");
  EXPECT_EQ(reminders[0].at("batchId"), tricky_id);

  auto devices = records(rows, "device");
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].at("deviceName"), "'+33 kitchen phone");
  EXPECT_EQ(devices[0].at("platform"), "ios");
}

TEST_F(ExportCsv, OneTypeGivesOnlyItsColumns) {
  auto batch_id = create_batch(brewer);
  auto rows = parse_with_python(brewer.api.get("/export.csv?type=events").body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"eventId", "batchId", "type", "timestamp", "description",
                                               "metadata", "photoKey", "createdAt"}));
  EXPECT_EQ(rows[1][1], batch_id);
  auto batches = parse_with_python(brewer.api.get("/export.csv?type=batches").body);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].at(0), "batchId");
  EXPECT_EQ(std::find(batches[0].begin(), batches[0].end(), "eventId"), batches[0].end());
  EXPECT_EQ(parse_with_python(brewer.api.get("/export.csv?type=devices").body).size(), 1u);
  EXPECT_EQ(parse_with_python(brewer.api.get("/export.csv?type=reminders").body).size(), 1u);

  for (const char* bad : {"/export.csv?type=photos", "/export.csv?type=", "/export.csv?type=Batches"}) {
    auto response = brewer.api.get(bad);
    EXPECT_EQ(response.status, 400) << bad;
    EXPECT_EQ(error_code(response), "VALIDATION_ERROR");
  }
  EXPECT_EQ(ApiClient(server.base_url()).get("/export.csv").status, 401);
}

TEST_F(ExportCsv, ManyPagesComeOutWholeAndInOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 120; ++i) ids.push_back(create_batch(brewer, {{"name", "Batch " + std::to_string(i)}}));
  for (int i = 0; i < 230; ++i) {
    auto response = brewer.api.post("/batches/" + ids[7] + "/events",
                                    {{"type", "observation"}, {"description", "look " + std::to_string(i)}});
    ASSERT_EQ(response.status, 201) << response.body;
  }
  auto rows = parse_with_python(brewer.api.get("/export.csv").body);
  auto batches = records(rows, "batch");
  ASSERT_EQ(batches.size(), 120u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(batches[i].at("batchId"), ids[i]);
  auto events = records(rows, "event");
  EXPECT_EQ(events.size(), 120u + 230u);
  std::set<std::string> event_ids;
  for (const auto& event : events) event_ids.insert(event.at("eventId"));
  EXPECT_EQ(event_ids.size(), events.size());
  std::vector<std::string> timeline;
  for (const auto& event : events)
    if (event.at("batchId") == ids[7]) timeline.push_back(event.at("timestamp"));
  EXPECT_EQ(timeline.size(), 231u);
  EXPECT_TRUE(std::is_sorted(timeline.begin(), timeline.end()));
}

TEST_F(ExportCsv, ReadingsComeLastBatchByBatchWithTheirDocumentedColumns) {
  auto first = create_batch(brewer, {{"name", "Windowsill"}});
  auto second = create_batch(brewer, {{"name", "Cellar"}});
  auto created = brewer.api.post("/me/sensors", json::object{{"name", "Probe"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto body = created.json();
  const std::string token(body.at("token").as_string());
  const std::string sensor_id(body.at("sensor").at("sensorId").as_string());
  const auto now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  auto post = [&](const std::string& batch_id, json::object reading, hours ago) {
    ASSERT_EQ(brewer.api.patch("/me/sensors/" + sensor_id, json::object{{"batchId", batch_id}}).status, 200);
    reading["time"] = format_rfc3339(now - ago);
    auto response = ApiClient(server.base_url()).post("/ingest/" + token, reading);
    ASSERT_EQ(response.status, 201) << response.body;
  };
  post(second, {{"temperature", 19.5}, {"gravity", 1.012}}, hours(3));
  post(first, {{"temperature", 24.25}, {"ph", 4.1}}, hours(1));
  post(first, {{"temperature", 21.0}}, hours(2));

  auto rows = parse_with_python(brewer.api.get("/export.csv").body);
  std::size_t first_reading = 1;
  while (first_reading < rows.size() && rows[first_reading].at(0) != "reading") ++first_reading;
  ASSERT_EQ(rows.size() - first_reading, 3u);
  for (std::size_t i = first_reading; i < rows.size(); ++i) EXPECT_EQ(rows[i].at(0), "reading");
  auto readings = records(rows, "reading");
  EXPECT_EQ(readings[0].at("batchId"), first);
  EXPECT_EQ(readings[0].at("temperatureC"), "21");
  EXPECT_EQ(readings[0].at("time"), format_rfc3339(now - hours(2)));
  EXPECT_EQ(readings[1].at("temperatureC"), "24.25");
  EXPECT_EQ(readings[1].at("ph"), "4.1");
  EXPECT_EQ(readings[1].at("sensorId"), sensor_id);
  EXPECT_EQ(readings[2].at("batchId"), second);
  EXPECT_EQ(readings[2].at("gravity"), "1.012");
  EXPECT_EQ(readings[2].at("gravityUnit"), "sg");
  EXPECT_EQ(readings[2].at("ph"), "");

  auto only = parse_with_python(brewer.api.get("/export.csv?type=readings").body);
  ASSERT_EQ(only.size(), 4u);
  EXPECT_EQ(only[0], (std::vector<std::string>{"batchId", "sensorId", "time", "temperatureC", "ph", "gravity",
                                               "gravityUnit"}));
  EXPECT_EQ(only[1].at(0), first);
}

TEST_F(ExportCsv, EachUserExportsOnlyTheirOwnData) {
  create_batch(brewer, {{"name", "Mine"}});
  auto stranger = sign_up(server, "stranger");
  auto rows = parse_with_python(stranger.api.get("/export.csv").body);
  EXPECT_EQ(rows.size(), 1u);  // the header alone
}

TEST_F(ExportCsv, MobileAliasLinksToTheSameFile) {
  create_batch(brewer, {{"name", "Linked, \"exported\""}});
  auto streamed = brewer.api.get("/export.csv");
  auto link = brewer.api.post("/export/batches/csv", json::object{});
  ASSERT_EQ(link.status, 200) << link.body;
  EXPECT_EQ(link.json().at("expiresIn").as_int64(), 300);
  auto file = get_url(std::string(link.json().at("url").as_string()));
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(file.body, streamed.body);
  EXPECT_EQ(brewer.api.post("/export/batches/csv", json::object{{"format", "xlsx"}}).status, 400);
}

}  // namespace
}  // namespace kefir::test::photos
