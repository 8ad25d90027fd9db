// POST /ingest/{token} (issue 18) with the payloads the devices send: Brewfather's Custom Stream, an
// iSpindel, a GravityMon, a Tilt's form post and the plain format; units normalised, bad readings refused
// naming the field, and a per-token rate limit.
#include "batches_support.hpp"

namespace kefir::test {
namespace {

std::string hours_ago(int count) {
  return format_rfc3339(std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()) -
                        std::chrono::hours(count));
}

class Ingest : public CoreApiTest {
 protected:
  // A signed-in user's sensor attached to a fresh batch; returns the token.
  static std::string attached_sensor(const User& user, std::string* batch_id = nullptr) {
    auto batch = text(create_batch(user.api).at("batchId"));
    if (batch_id) *batch_id = batch;
    auto created = user.api.post("/me/sensors", json::object{{"name", "Probe"}});
    EXPECT_EQ(created.status, 201) << created.body;
    auto sensor_id = text(created.json().at("sensor").at("sensorId"));
    EXPECT_EQ(user.api.patch("/me/sensors/" + sensor_id, json::object{{"batchId", batch}}).status, 200);
    return text(created.json().at("token"));
  }

  static HttpResponse post(const std::string& token, const std::string& body,
                           const std::string& content_type = "application/json",
                           const std::string& query = "") {
    return ApiClient(server().base_url())
        .raw("POST", "/ingest/" + token + query, body, {{"Content-Type", content_type}});
  }

  static json::object stored_reading(const HttpResponse& response) {
    EXPECT_EQ(response.status, 201) << response.body;
    if (response.status != 201) return {};
    return response.json().at("reading").as_object();
  }
};

TEST_F(Ingest, BrewfatherCustomStreamInFahrenheit) {
  auto user = sign_in_user("ingest-bf");
  auto token = attached_sensor(user);
  auto reading = stored_reading(post(token, R"({"name":"Kitchen jar","temp":75.2,"aux_temp":68.0,
      "temp_unit":"F","gravity":1.012,"gravity_unit":"G","pressure":0,"pressure_unit":"PSI","ph":3.62,
      "bpm":12,"comment":"","beer":"Ginger lemon","battery":4.02})"));
  EXPECT_EQ(reading.at("format"), "brewfather");
  EXPECT_NEAR(reading.at("temperatureC").as_double(), 24.0, 1e-9);
  EXPECT_EQ(reading.at("gravity"), 1.012);
  EXPECT_EQ(reading.at("gravityUnit"), "sg");
  EXPECT_EQ(reading.at("ph"), 3.62);
}

TEST_F(Ingest, ISpindelAndGravityMonPosts) {
  auto user = sign_in_user("ingest-ispindel");
  auto token = attached_sensor(user);
  auto ispindel = stored_reading(post(token, R"({"name":"iSpindel007","ID":9371024,"token":"","angle":41.53,
      "temperature":23.4375,"temp_units":"C","battery":3.98,"gravity":1.0123,"interval":900,"RSSI":-71})"));
  EXPECT_EQ(ispindel.at("format"), "ispindel");
  EXPECT_EQ(ispindel.at("temperatureC"), 23.4375);

  auto other = attached_sensor(user);
  auto gravitymon = stored_reading(post(other, R"({"name":"gravmon","ID":"e3a1f0","token":"","interval":300,
      "temperature":71.6,"temp_units":"F","gravity":3.1,"corr-gravity":3.05,"angle":30.2,"battery":4.1,
      "gravity_units":"P","RSSI":-60,"run-time":1.8})"));
  EXPECT_NEAR(gravitymon.at("temperatureC").as_double(), 22.0, 1e-9);
  EXPECT_EQ(gravitymon.at("gravity"), 3.1);
  EXPECT_EQ(gravitymon.at("gravityUnit"), "plato");
}

TEST_F(Ingest, TiltCloudFormPost) {
  auto user = sign_in_user("ingest-tilt");
  auto token = attached_sensor(user);
  auto reading = stored_reading(post(token,
                                     "Timepoint=46082.523&Temp=66.2&SG=1.008&Beer=Water+kefir%2C+lemon"
                                     "&Color=PURPLE&Comment=",
                                     "application/x-www-form-urlencoded"));
  EXPECT_EQ(reading.at("format"), "tilt");
  EXPECT_NEAR(reading.at("temperatureC").as_double(), 19.0, 1e-9);
  EXPECT_EQ(reading.at("gravity"), 1.008);
}

TEST_F(Ingest, PlainReadingsAndANamedFormat) {
  auto user = sign_in_user("ingest-plain");
  std::string batch_id;
  auto token = attached_sensor(user, &batch_id);
  // A reading sent late keeps its own time.
  auto recent_time = hours_ago(3);
  auto recent =
      stored_reading(post(token, R"({"temperature":21.5,"ph":3.9,"time":")" + recent_time + R"("})"));
  EXPECT_EQ(text(recent.at("time")), recent_time);
  auto named = stored_reading(
      post(token, R"({"temperature":20.5,"gravity":1.02})", "application/json", "?format=ispindel"));
  EXPECT_EQ(named.at("format"), "ispindel");
  EXPECT_EQ(problem_fields(post(token, R"({"temperature":20})", "application/json", "?format=xml")),
            std::vector<std::string>{"format"});
  auto listed = user.api.get("/batches/" + batch_id + "/readings");
  EXPECT_EQ(listed.json().at("readings").as_array().size(), 2u);
}

TEST_F(Ingest, BadReadingsAreRefusedNamingTheField) {
  auto user = sign_in_user("ingest-bad");
  auto token = attached_sensor(user);
  using Fields = std::vector<std::string>;
  EXPECT_EQ(problem_fields(post(token, R"({"temp":212,"temp_unit":"F","ph":15})")), (Fields{"temp", "ph"}));
  EXPECT_EQ(problem_fields(post(token, R"({"temperature":-40,"temp_units":"C","angle":1,"gravity":1.5})")),
            (Fields{"temperature", "gravity"}));
  EXPECT_EQ(problem_fields(post(token, "Temp=hot&SG=1.010", "application/x-www-form-urlencoded")),
            Fields{"Temp"});
  EXPECT_EQ(problem_fields(post(token, R"({"temperature":20,"colour":"red"})")), Fields{"colour"});
  EXPECT_EQ(problem_fields(post(token, R"({"temperature":20,"time":")" + hours_ago(31 * 24) + R"("})")),
            Fields{"time"});
  EXPECT_EQ(
      problem_fields(post(token, R"({"name":"nothing measured"})", "application/json", "?format=brewfather")),
      Fields{"body"});
  EXPECT_EQ(error_code(post(token, "{")), "BAD_JSON");
}

TEST_F(Ingest, EachTokenHasItsOwnRateLimit) {
  auto user = sign_in_user("ingest-rate");
  auto token = attached_sensor(user);
  auto other = attached_sensor(user);
  int accepted = 0;
  HttpResponse last;
  for (int i = 0; i < 125 && last.status != 429; ++i) {
    last = post(token, R"({"temperature":20})");
    if (last.status == 201 || last.status == 202) ++accepted;
  }
  EXPECT_EQ(accepted, 120);
  EXPECT_EQ(last.status, 429);
  EXPECT_EQ(error_code(last), "THROTTLED");
  EXPECT_FALSE(last.headers["retry-after"].empty());
  EXPECT_EQ(post(other, R"({"temperature":20})").status, 201);
}

TEST_F(Ingest, TheSimulatorPostsADayOfWindowsillReadings) {
  auto user = sign_in_user("ingest-simulator");
  std::string batch_id;
  auto token = attached_sensor(user, &batch_id);
  auto result =
      run_kefir({"simulate-sensor", server().base_url() + "/ingest/" + token, "--profile", "windowsill"}, {});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("96 readings"), std::string::npos) << result.out;
  auto listed = user.api.get("/batches/" + batch_id + "/readings").json().at("readings").as_array();
  ASSERT_EQ(listed.size(), 96u);
  double low = 100, high = -100;
  for (const auto& reading : listed) {
    low = std::min(low, reading.at("temperatureC").as_double());
    high = std::max(high, reading.at("temperatureC").as_double());
  }
  EXPECT_GE(low, 17.8);
  EXPECT_LE(low, 18.6);
  EXPECT_GE(high, 26.4);
  EXPECT_LE(high, 27.2);

  auto refused =
      run_kefir({"simulate-sensor", server().base_url() + "/ingest/" + token, "--profile", "attic"}, {});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("unknown profile"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace kefir::test
