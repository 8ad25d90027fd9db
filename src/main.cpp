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

// The subcommands, and what their arguments were given once parsed.
struct Commands {
  std::map<std::string, std::string> overrides;  // configuration flags, over the environment
  CLI::App* serve = nullptr;
  CLI::App* version = nullptr;
  CLI::App* keygen = nullptr;
  std::string key_file;
  CLI::App* seed = nullptr;
  CLI::App* backup = nullptr;
  std::string backup_file;
  CLI::App* restore = nullptr;
  std::string restore_file;
  CLI::App* reset = nullptr;
  CLI::App* create_table = nullptr;
  CLI::App* simulate_sensor = nullptr;
  std::string sensor_url;
  std::string sensor_profile = "windowsill";
  int sensor_hours = 24;
  CLI::App* renditions = nullptr;
  bool renditions_once = false;
  CLI::App* lambda = nullptr;
};

// A subcommand that reads the configuration, so it takes every configuration flag.
CLI::App* configured_command(CLI::App& cli, Commands& commands, std::string name, std::string description) {
  auto* command = cli.add_subcommand(std::move(name), std::move(description));
  add_config_flags(*command, commands.overrides);
  return command;
}

void define_commands(CLI::App& cli, Commands& commands) {
  commands.serve = configured_command(cli, commands, "serve",
                                      "serve the HTTP API (standalone or one scaled-out instance)");
  commands.version = cli.add_subcommand("version", "print the version");
  commands.keygen = cli.add_subcommand(
      "keygen", "write a new RSA-2048 token signing key (PEM) to FILE (mode 0600) or stdout");
  commands.keygen->add_option("file", commands.key_file,
                              "a new file for the key (never overwritten); stdout when omitted");
  commands.seed = configured_command(cli, commands, "seed",
                                     "write the development data (idempotent; dev: prints a token)");
  commands.backup = configured_command(cli, commands, "backup",
                                       "consistent snapshot of the SQLite store, also while serving");
  commands.backup->add_option("file", commands.backup_file, "where to write the backup")->required();
  commands.restore =
      configured_command(cli, commands, "restore", "replace the SQLite store with a backup (server stopped)");
  commands.restore->add_option("file", commands.restore_file, "the backup to restore")->required();
  commands.reset = configured_command(cli, commands, "reset", "delete all data in DATA_DIR (stage dev only)");
  commands.create_table =
      configured_command(cli, commands, "create-table",
                         "create the DynamoDB table (STORE=dynamodb; keys, GSI1, TTL) if missing");
  commands.simulate_sensor = cli.add_subcommand(
      "simulate-sensor", "post the last day of a simulated sensor's readings to its ingest URL, quickly");
  commands.simulate_sensor
      ->add_option("url", commands.sensor_url, "the sensor's ingest URL (POST /me/sensors)")
      ->required();
  commands.simulate_sensor->add_option("--profile", commands.sensor_profile, "windowsill, cellar or heatmat")
      ->capture_default_str();
  commands.simulate_sensor->add_option("--hours", commands.sensor_hours, "how far back the readings start")
      ->check(CLI::Range(1, 24 * 30))
      ->capture_default_str();
  commands.renditions = configured_command(
      cli, commands, "renditions",
      "make the photo renditions left to a worker (RENDITIONS=deferred, the Lambda shape)");
  commands.renditions->add_flag("--once", commands.renditions_once,
                                "one pass over the waiting photos, then exit");
  commands.lambda = configured_command(cli, commands, "lambda",
                                       "run as an AWS Lambda custom runtime (_HANDLER=http or scheduler)");
}

int run_command(const Commands& commands) {
  if (*commands.version) {
    std::cout << "kefir " << KEFIR_VERSION << "\n";
    return 0;
  }
  if (*commands.keygen) {
    if (commands.key_file.empty())
      std::cout << auth::TokenService::generate_private_key_pem();
    else
      auth::TokenService::write_new_key_file(commands.key_file);
    return 0;
  }
  if (*commands.lambda) return lambda::run([&] { return configure(commands.overrides); });
  if (*commands.simulate_sensor) {
    ops::simulate_sensor_command(commands.sensor_url, commands.sensor_profile, commands.sensor_hours,
                                 std::cout);
    return 0;
  }
  Config config = configure(commands.overrides);
  int code = 0;
  if (*commands.serve) code = serve(std::move(config));
  if (*commands.seed) ops::seed_command(config, std::cout);
  if (*commands.backup) ops::backup_command(config, commands.backup_file, std::cout);
  if (*commands.restore) ops::restore_command(config, commands.restore_file, std::cout);
  if (*commands.reset) ops::reset_command(config, std::cout);
  if (*commands.create_table) ops::create_table_command(config, std::cout);
  if (*commands.renditions) ops::renditions_command(config, commands.renditions_once, std::cout);
  log::flush();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  Commands commands;
  if (lambda::started_by_lambda(argv[0])) return lambda::run([&] { return configure(commands.overrides); });
  CLI::App cli{"kefir: the backend of a kefir-brewing app (SPEC: batches, timeline, reminders, photos)"};
  cli.require_subcommand(1);
  define_commands(cli, commands);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = cli.exit(error);
    return code == 0 ? 0 : kConfigErrorExit;
  }

  try {
    return run_command(commands);
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
