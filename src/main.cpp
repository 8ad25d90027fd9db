// The `kefir` command line. Every subcommand reads the same configuration (environment, overridden by flags);
// a bad value is one line on stderr and exit code 2.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "app/app.hpp"
#include "auth/token_service.hpp"
#include "config/config.hpp"
#include "http/server.hpp"
#include "lambda/runtime.hpp"
#include "ops/commands.hpp"
#include "util/log.hpp"

namespace {

using namespace kefir;

constexpr int kConfigErrorExit = 2;

// Adds one flag per configuration option; values given on the command line override the environment.
void add_config_flags(CLI::App& command, std::map<std::string, std::string>& overrides) {
  for (const auto& spec : option_specs()) {
    std::string help = std::string(spec.help) + " [env " + spec.env + "]";
    if (*spec.fallback) help += " (default: " + std::string(spec.fallback) + ")";
    command.add_option_function<std::string>(
        spec.flag,
        [&overrides, env = std::string(spec.env)](const std::string& value) { overrides[env] = value; },
        help);
  }
}

Config configure(const std::map<std::string, std::string>& overrides) {
  auto raw = raw_options_from_environment();
  for (const auto& [key, value] : overrides) raw[key] = value;
  Config config = load_config(std::move(raw));
  log::Level level;
  log::parse_level(config.log_level, level);
  log::set_level(level);
  log::set_prod(config.prod());
  return config;
}

int serve(Config config) {
  auto started = std::chrono::steady_clock::now();
  http::Router router;
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.io_threads = config.threads;
  options.read_timeout = std::chrono::seconds(config.read_timeout);
  options.offload_reads = config.store != "sqlite";
  options.upload_dir = (std::filesystem::path(config.data_dir) / "tmp").string();
  http::Server server(router, options);
  // With PORT=0 the URL (and so the tokens' issuer) is known only now.
  if (config.raw["PUBLIC_BASE_URL"].empty() && !config.prod())
    config.public_base_url = "http://" + config.host + ":" + std::to_string(server.port());
  std::string stage = config.stage;
  App app(std::move(config), router);
  app.start_jobs();
  double startup_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log::info("listening", {{"port", server.port()}, {"stage", stage}, {"startupMs", startup_ms}});
  log::flush();
  server.run();
  app.stop_jobs();
  log::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"kefir: the backend of a kefir-brewing app (SPEC: batches, timeline, reminders, photos)"};
  cli.require_subcommand(1);
  std::map<std::string, std::string> overrides;
  if (lambda::started_by_lambda(argv[0])) return lambda::run([&] { return configure(overrides); });

  auto* serve_command =
      cli.add_subcommand("serve", "serve the HTTP API (standalone or one scaled-out instance)");
  add_config_flags(*serve_command, overrides);
  auto* version_command = cli.add_subcommand("version", "print the version");
  std::string key_file;
  auto* keygen_command = cli.add_subcommand(
      "keygen", "write a new RSA-2048 token signing key (PEM) to FILE (mode 0600) or stdout");
  keygen_command->add_option("file", key_file,
                             "a new file for the key (never overwritten); stdout when omitted");
  auto* seed_command =
      cli.add_subcommand("seed", "write the development data (idempotent; dev: prints a token)");
  add_config_flags(*seed_command, overrides);
  std::string backup_file;
  auto* backup_command =
      cli.add_subcommand("backup", "consistent snapshot of the SQLite store, also while serving");
  backup_command->add_option("file", backup_file, "where to write the backup")->required();
  add_config_flags(*backup_command, overrides);
  std::string restore_file;
  auto* restore_command =
      cli.add_subcommand("restore", "replace the SQLite store with a backup (server stopped)");
  restore_command->add_option("file", restore_file, "the backup to restore")->required();
  add_config_flags(*restore_command, overrides);
  auto* reset_command = cli.add_subcommand("reset", "delete all data in DATA_DIR (stage dev only)");
  add_config_flags(*reset_command, overrides);
  auto* create_table_command = cli.add_subcommand(
      "create-table", "create the DynamoDB table (STORE=dynamodb; keys, GSI1, TTL) if missing");
  add_config_flags(*create_table_command, overrides);
  std::string sensor_url, sensor_profile = "windowsill";
  int sensor_hours = 24;
  auto* simulate_sensor_command = cli.add_subcommand(
      "simulate-sensor", "post the last day of a simulated sensor's readings to its ingest URL, quickly");
  simulate_sensor_command->add_option("url", sensor_url, "the sensor's ingest URL (POST /me/sensors)")
      ->required();
  simulate_sensor_command->add_option("--profile", sensor_profile, "windowsill, cellar or heatmat")
      ->capture_default_str();
  simulate_sensor_command->add_option("--hours", sensor_hours, "how far back the readings start")
      ->check(CLI::Range(1, 24 * 30))
      ->capture_default_str();
  bool renditions_once = false;
  auto* renditions_command = cli.add_subcommand(
      "renditions", "make the photo renditions left to a worker (RENDITIONS=deferred, the Lambda shape)");
  renditions_command->add_flag("--once", renditions_once, "one pass over the waiting photos, then exit");
  add_config_flags(*renditions_command, overrides);
  auto* lambda_command =
      cli.add_subcommand("lambda", "run as an AWS Lambda custom runtime (_HANDLER=http or scheduler)");
  add_config_flags(*lambda_command, overrides);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = cli.exit(error);
    return code == 0 ? 0 : kConfigErrorExit;
  }

  try {
    if (*version_command) {
      std::cout << "kefir " << KEFIR_VERSION << "\n";
      return 0;
    }
    if (*keygen_command) {
      if (key_file.empty())
        std::cout << auth::TokenService::generate_private_key_pem();
      else
        auth::TokenService::write_new_key_file(key_file);
      return 0;
    }
    if (*lambda_command) return lambda::run([&] { return configure(overrides); });
    if (*simulate_sensor_command) {
      ops::simulate_sensor_command(sensor_url, sensor_profile, sensor_hours, std::cout);
      return 0;
    }
    Config config = configure(overrides);
    int code = 0;
    if (*serve_command) code = serve(std::move(config));
    if (*seed_command) ops::seed_command(config, std::cout);
    if (*backup_command) ops::backup_command(config, backup_file, std::cout);
    if (*restore_command) ops::restore_command(config, restore_file, std::cout);
    if (*reset_command) ops::reset_command(config, std::cout);
    if (*create_table_command) ops::create_table_command(config, std::cout);
    if (*renditions_command) ops::renditions_command(config, renditions_once, std::cout);
    log::flush();
    return code;
  } catch (const ConfigError& error) {
    std::cerr << "kefir: " << error.what() << "\n";
    return kConfigErrorExit;
  } catch (const ops::CommandError& error) {
    log::flush();
    std::cerr << "kefir " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {
    log::error("fatal", {{"error", error.what()}});
    log::flush();
    std::cerr << "kefir: " << error.what() << "\n";
    return 1;
  }
}
