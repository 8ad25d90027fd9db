// Sensors (issue 18): POST/GET /me/sensors, GET/PATCH/DELETE /me/sensors/{sensorId}, a new token with
// POST /me/sensors/{sensorId}/rotate-token; ingest with POST /ingest/{token} (the token is the credential);
// a batch's readings, GET /batches/{id}/readings, and its chart, GET /batches/{id}/chart.svg (and
// /public/b/{batchId}/chart.svg for a shared batch); the measured model, GET /batches/{id}/progress.
#include <memory>

#include "api/routes.hpp"
#include "auth/rate_limiter.hpp"
#include "services/batch_service.hpp"
#include "services/sensor_service.hpp"

namespace kefir::api {
namespace {

// A device reports every few minutes; a burst of late readings (a device catching up, the simulator) is
// fine, a flood is not.
constexpr std::size_t kPostsPerTokenPerMinute = 120;

http::Response sensor_response(int status, const domain::Sensor& sensor) {
  return http::Response::json(status, {{"sensor", domain::to_json(sensor)}});
}

// The token is in this answer only: the store keeps its keyed hash.
// An Idempotency-Key would keep this response, token included, in the store for a day: refused.
void refuse_idempotency_key(const http::Request& request) {
  if (!request.header("idempotency-key").empty())
    throw domain::invalid("Idempotency-Key",
                          "not accepted here: the response carries a token that is never stored");
}

http::Response token_response(AppContext& ctx, int status, const services::SensorWithToken& created) {
  auto response =
      http::Response::json(status, {{"sensor", domain::to_json(created.sensor)},
                                    {"token", created.token},
                                    {"ingestUrl", ctx.config.public_base_url + "/ingest/" + created.token}});
  response.set_header("cache-control", "no-store");
  return response;
}

services::SensorChanges read_changes(const http::Request& request) {
  auto body = http::parse_json_object(request);
  domain::BodyReader reader(body);
  services::SensorChanges changes;
  auto name = reader.string("name", 1, domain::kMaxSensorNameChars);
  auto batch_id = reader.string("batchId", 1, 64, {.nullable = true});
  reader.finish();
  changes.name = name.value;
  if (batch_id.present) changes.batch_id = batch_id.value;
  return changes;
}

// A form post's fields (Tilt) as strings, or the JSON object of every other device.
json::object read_ingest_body(const http::Request& request) {
  if (request.header("content-type").find("x-www-form-urlencoded") == std::string_view::npos)
    return domain::parse_json_object_text(request.body);
  json::object fields;
  std::string_view rest = request.body;
  while (!rest.empty()) {
    auto pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    auto equals = pair.find('=');
    if (pair.empty()) continue;
    fields[http::percent_decode(pair.substr(0, equals), true)] =
        equals == std::string_view::npos ? "" : http::percent_decode(pair.substr(equals + 1), true);
  }
  return fields;
}

std::optional<readings::Format> read_format(const http::Request& request) {
  auto text = request.query("format");
  if (!text) return std::nullopt;
  auto format = readings::parse_format(*text);
  if (!format) throw domain::invalid("format", "must be brewfather, ispindel, tilt or plain");
  return format;
}

http::Response ingest(AppContext& ctx, auth::SlidingWindowLimiter* limiter, const http::Request& request) {
  const auto token_hash = services::ingest_token_hash(ctx, request.param("token"));
  std::chrono::seconds retry_after{};
  if (limiter && !limiter->allow(token_hash, retry_after))
    throw domain::throttled(static_cast<int>(retry_after.count()), "too many readings for this sensor");
  auto format = read_format(request);
  readings::Reading reading;
  try {
    reading = readings::parse_reading(read_ingest_body(request), format, ctx.now());
  } catch (const readings::InvalidReading& invalid) {
    std::vector<domain::FieldProblem> details;
    for (const auto& problem : invalid.problems()) details.push_back({problem.field, problem.problem});
    throw domain::invalid(std::move(details));
  }
  auto result = services::ingest_reading(ctx, token_hash, reading);
  readings::StoredReading stored{result.sensor_id, reading.time,    reading.temperature_c,
                                 reading.ph,       reading.gravity, reading.gravity_unit};
  json::object body = readings::to_json(stored);
  body["batchId"] = result.batch_id ? json::value(*result.batch_id) : nullptr;
  body["format"] = readings::to_string(reading.format);
  // 201: a new reading; 202: accepted but merged into this minute's, or kept nowhere (no batch attached).
  const bool created = result.batch_id && !result.merged;
  return http::Response::json(
      created ? 201 : 202,
      {{"reading", std::move(body)}, {"merged", result.merged}, {"stored", result.batch_id.has_value()}});
}

// No script can run in it (and none is in it): a strict policy of its own, should it be opened directly.
http::Response chart_response(const chart::Chart& chart) {
  auto response = http::Response::text(200, "image/svg+xml; charset=utf-8", chart::render_svg(chart));
  response.set_header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
  return response;
}

json::object progress_json(const services::BatchProgress& progress) {
  const auto& curve = progress.curve;
  json::array history;
  for (const auto& sample : curve.history())
    history.push_back({{"from", format_rfc3339(sample.time)}, {"temperatureC", sample.temperature_c}});
  std::string_view basis = "model";
  if (curve.expectation().basis == fermentation::Expectation::Basis::calibrated) basis = "calibrated";
  if (curve.expectation().basis == fermentation::Expectation::Basis::explicit_target)
    basis = "explicit_target";
  return {{"fraction", progress.fraction},
          {"expectedEnd", format_rfc3339(curve.time_at_fraction(1.0))},
          {"stageStartedAt", format_rfc3339(curve.history().front().time)},
          {"basis", basis},
          {"temperatureSource", curve.measured() ? "readings" : "batch"},
          {"readingsUsed", progress.readings_used},
          {"temperatureHistory", std::move(history)}};
}

}  // namespace

void register_sensor_routes(http::Router& router, AppContext& ctx) {
  router.add("POST", "/me/sensors",
             [&ctx](http::Request& request) {
               refuse_idempotency_key(request);
               auto body = http::parse_json_object(request);
               domain::BodyReader reader(body);
               auto name = reader.string("name", 1, domain::kMaxSensorNameChars, {.required = true});
               reader.finish();
               return token_response(ctx, 201, services::create_sensor(ctx, request.user_id, *name));
             },
             {.store_only = true});

  router.add("GET", "/me/sensors", [&ctx](http::Request& request) {
    auto page = services::page_request(request.query("limit"), request.query("cursor"));
    auto result = services::list_sensors(ctx, request.user_id, page);
    json::array sensors;
    for (const auto& sensor : result.sensors) sensors.push_back(domain::to_json(sensor));
    auto count = sensors.size();
    return http::Response::json(
        200, {{"sensors", std::move(sensors)},
              {"count", count},
              {"nextCursor", result.next_cursor ? json::value(*result.next_cursor) : nullptr}});
  });

  router.add("GET", "/me/sensors/{sensorId}", [&ctx](http::Request& request) {
    return sensor_response(200, services::get_sensor(ctx, request.user_id, request.param("sensorId")));
  });

  router.add("PATCH", "/me/sensors/{sensorId}",
             [&ctx](http::Request& request) {
               auto changes = read_changes(request);
               return sensor_response(
                   200, services::update_sensor(ctx, request.user_id, request.param("sensorId"), changes));
             },
             {.store_only = true});

  router.add("POST", "/me/sensors/{sensorId}/rotate-token",
             [&ctx](http::Request& request) {
               refuse_idempotency_key(request);
               return token_response(
                   ctx, 200, services::rotate_sensor_token(ctx, request.user_id, request.param("sensorId")));
             },
             {.store_only = true});

  router.add("DELETE", "/me/sensors/{sensorId}",
             [&ctx](http::Request& request) {
               services::delete_sensor(ctx, request.user_id, request.param("sensorId"));
               return http::Response::no_content();
             },
             {.store_only = true});

  // THROTTLE_RATE=0 (the benchmarks) lifts this limit too.
  std::shared_ptr<auth::SlidingWindowLimiter> limiter;
  if (ctx.config.throttle_rate > 0)
    limiter = std::make_shared<auth::SlidingWindowLimiter>(kPostsPerTokenPerMinute, std::chrono::minutes(1));
  router.add("POST", "/ingest/{token}",
             [&ctx, limiter](http::Request& request) { return ingest(ctx, limiter.get(), request); },
             {.authenticated = false, .store_only = true});

  router.add("GET", "/batches/{id}/readings", [&ctx](http::Request& request) {
    json::array list;
    for (const auto& reading : services::batch_readings(ctx, request.user_id, request.param("id")))
      list.push_back(readings::to_json(reading));
    return http::Response::json(200, {{"readings", std::move(list)}});
  });

  router.add("GET", "/batches/{id}/chart.svg", [&ctx](http::Request& request) {
    return chart_response(
        services::batch_chart(ctx, services::get_batch(ctx, request.user_id, request.param("id"))));
  });

  router.add("GET", "/public/b/{batchId}/chart.svg",
             [&ctx](http::Request& request) {
               auto batch = services::find_batch_by_id(ctx, request.param("batchId"));
               if (!batch || !batch->is_public) throw domain::not_found("batch not found");
               auto response = chart_response(services::batch_chart(ctx, *batch));
               response.set_header("cache-control", "public, max-age=60");
               return response;
             },
             {.authenticated = false, .store_only = true});

  router.add("GET", "/batches/{id}/progress", [&ctx](http::Request& request) {
    return http::Response::json(
        200,
        {{"progress", progress_json(services::batch_progress(ctx, request.user_id, request.param("id")))}});
  });
}

}  // namespace kefir::api
