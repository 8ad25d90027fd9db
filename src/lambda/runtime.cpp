#include "lambda/runtime.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/adapters.hpp"
#include "app/app.hpp"
#include "jobs/reminder_processor.hpp"
#include "lambda/apigw_v2.hpp"
#include "services/sensor_service.hpp"
#include "util/log.hpp"

namespace kefir::lambda {
namespace {

constexpr std::string_view kApiPrefix = "/2018-06-01/runtime";
constexpr int kConfigErrorExit = 2;

std::string required_header(const net::HttpResponse& response, std::string_view name) {
  auto value = response.header(name);
  if (value.empty()) throw std::runtime_error("runtime API response lacks " + std::string(name));
  return std::string(value);
}

std::string error_document(std::string_view error_type, std::string_view message) {
  return json::serialize(
      json::object{{"errorMessage", message}, {"errorType", error_type}, {"stackTrace", json::array{}}});
}

// What one invocation is for this function; returns the response document or throws to fail the invocation.
using InvocationHandler = std::function<std::string(const Invocation&)>;

InvocationHandler http_handler(const http::Router& router, const Config& config) {
  ServeOptions options;
  options.upload_dir = std::filesystem::path(config.data_dir) / "tmp";
  return [&router, options](const Invocation& invocation) {
    boost::system::error_code ec;
    auto event = json::parse(invocation.payload, ec);
    if (ec) throw InvalidEvent("event is not JSON: " + ec.message());
    return json::serialize(serve_event(router, event, options));
  };
}

// What the pass leaves itself to release unsent claims, record and post the result before Lambda's deadline.
constexpr milliseconds kDeadlineMargin{3000};

// One sensor silence sweep and one reminder-processor pass per scheduled event (the EventBridge rule's JSON
// input is not needed: the pass finds due work itself); the sweep comes first so that its alerts go out in
// the same pass. The processor lives as long as the process, so a warm instance still reads the push receipts
// of what it sent in an earlier invocation.
InvocationHandler scheduler_handler(AppContext& ctx) {
  std::shared_ptr<jobs::ReminderProcessor> processor = make_reminder_processor(ctx);
  return [processor, &ctx](const Invocation& invocation) {
    boost::system::error_code ec;
    json::parse(invocation.payload, ec);
    if (ec) throw InvalidEvent("event is not JSON: " + ec.message());
    const auto silent_sensors = services::alert_silent_sensors(ctx);
    auto summary = processor->run_once(invocation.deadline - kDeadlineMargin);
    json::object result{{"claimed", summary.claimed},     {"sent", summary.sent},
                        {"failed", summary.failed},       {"retried", summary.retried},
                        {"released", summary.released},   {"nextDue", nullptr},
                        {"silentSensors", silent_sensors}};
    if (summary.next_due) result["nextDue"] = format_rfc3339(*summary.next_due);
    log::info("reminder pass", result);
    return json::serialize(result);
  };
}

// Passes the invocation's X-Ray trace header on to whatever the process calls, as the Lambda runtimes do.
void export_trace_id(const Invocation& invocation) {
  if (invocation.trace_id.empty())
    unsetenv("_X_AMZN_TRACE_ID");
  else
    setenv("_X_AMZN_TRACE_ID", invocation.trace_id.c_str(), 1);
}

[[noreturn]] void serve_forever(RuntimeApi& api, const InvocationHandler& handler) {
  for (;;) {
    Invocation invocation = api.next();
    export_trace_id(invocation);
    const char* trace = std::getenv("_X_AMZN_TRACE_ID");
    log::debug("invocation", {{"awsRequestId", invocation.request_id}, {"traceId", trace ? trace : ""}});
    std::string response;
    std::string error_type, error_message;
    try {
      response = handler(invocation);
    } catch (const InvalidEvent& error) {
      error_type = "InvalidEvent", error_message = error.what();
    } catch (const std::exception& error) {
      error_type = "HandlerError", error_message = error.what();
    }
    if (!error_type.empty()) {
      log::error(
          "invocation failed",
          {{"awsRequestId", invocation.request_id}, {"errorType", error_type}, {"error", error_message}});
    }
    // The process may be frozen as soon as the result is posted: nothing may wait in a buffer.
    log::flush();
    if (error_type.empty())
      api.respond(invocation, response);
    else
      api.fail(invocation, error_type, error_message);
  }
}

}  // namespace

RuntimeApi::RuntimeApi(std::string host_port)
    // No overall timeout: /next is a long poll that returns only when there is work.
    : base_url_("http://" + std::move(host_port) + std::string(kApiPrefix)),
      client_(net::HttpClientOptions{
          .connect_timeout = std::chrono::seconds(2), .timeout = {}, .max_idle_handles = 1}) {}

Invocation RuntimeApi::next() {
  auto response = client_.send("GET", base_url_ + "/invocation/next", {});
  if (response.status != 200)
    throw std::runtime_error("runtime API /next answered " + std::to_string(response.status) + ": " +
                             response.body);
  Invocation invocation;
  invocation.request_id = required_header(response, "lambda-runtime-aws-request-id");
  auto deadline = required_header(response, "lambda-runtime-deadline-ms");
  invocation.deadline = from_epoch_millis(std::stoll(deadline));
  invocation.trace_id = std::string(response.header("lambda-runtime-trace-id"));
  invocation.function_arn = std::string(response.header("lambda-runtime-invoked-function-arn"));
  invocation.payload = std::move(response.body);
  return invocation;
}

void RuntimeApi::respond(const Invocation& invocation, std::string_view body) {
  post("/invocation/" + invocation.request_id + "/response", body, {{"content-type", "application/json"}});
}

void RuntimeApi::fail(const Invocation& invocation, std::string_view error_type, std::string_view message) {
  post("/invocation/" + invocation.request_id + "/error", error_document(error_type, message),
       {{"content-type", "application/json"},
        {"lambda-runtime-function-error-type", std::string(error_type)}});
}

void RuntimeApi::init_error(std::string_view error_type, std::string_view message) {
  post("/init/error", error_document(error_type, message),
       {{"content-type", "application/json"},
        {"lambda-runtime-function-error-type", std::string(error_type)}});
}

void RuntimeApi::post(const std::string& path, std::string_view body, const http::Headers& headers) {
  auto response = client_.send("POST", base_url_ + path, headers, body);
  // 413 means Lambda refused an oversized result; the invocation is then failed by Lambda itself.
  if (response.status != 202)
    log::error("runtime API refused a post",
               {{"path", path}, {"status", response.status}, {"body", response.body}});
}

int run(const std::function<Config()>& configure) {
  const char* api_address = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api_address || !*api_address) {
    std::cerr << "kefir: AWS_LAMBDA_RUNTIME_API is not set (kefir lambda runs inside AWS Lambda)\n";
    return kConfigErrorExit;
  }
  RuntimeApi api(api_address);
  auto report_init_error = [&api](std::string_view type, const std::string& line, int code) {
    std::cerr << line << "\n";
    log::flush();
    api.init_error(type, line);
    return code;
  };

  http::Router router;
  std::unique_ptr<App> app;
  InvocationHandler handler;
  try {
    Config config = configure();
    config.lambda_mode = true;
    const char* handler_name = std::getenv("_HANDLER");
    std::string name = handler_name ? handler_name : "";
    if (name != "http" && name != "scheduler")
      throw ConfigError("_HANDLER: must be http or scheduler (got '" + name + "')");
    app = std::make_unique<App>(std::move(config), router);
    handler =
        name == "http" ? http_handler(router, app->context().config) : scheduler_handler(app->context());
    log::info("lambda runtime ready", {{"handler", name}, {"stage", app->context().config.stage}});
  } catch (const ConfigError& error) {
    return report_init_error("ConfigError", "kefir: " + std::string(error.what()), kConfigErrorExit);
  } catch (const std::exception& error) {
    log::error("init failed", {{"error", error.what()}});
    return report_init_error("InitError", "kefir: " + std::string(error.what()), 1);
  }

  try {
    serve_forever(api, handler);
  } catch (const std::exception& error) {
    log::error("runtime API unreachable", {{"error", error.what()}});
    log::flush();
    return 1;
  }
}

bool started_by_lambda(const char* argv0) {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  return argv0 && api && *api && std::filesystem::path(argv0).filename() == "bootstrap";
}

}  // namespace kefir::lambda
