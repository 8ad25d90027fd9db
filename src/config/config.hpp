#pragma once
// Configuration (SPEC §11): environment variables, overridden by `kefir serve` flags. Every option is one row
// of the table in config.cpp plus one field here; validation turns a bad value into a ConfigError whose
// message is the one line `kefir` prints before exiting with code 2.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace kefir {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  const char* env;       // PORT
  const char* flag;      // --port
  const char* fallback;  // default text ("" = unset); may mention <stage>
  const char* help;
};
const std::vector<OptionSpec>& option_specs();

struct Config {
  std::string stage = "dev";
  bool prod() const { return stage == "prod"; }
  int port = 8080;
  std::string host = "127.0.0.1";
  std::string data_dir = "./data";
  int threads = 0;        // I/O threads; 0: one per core
  int read_timeout = 30;  // seconds
  std::string store = "sqlite";
  std::string table_name;
  std::string blobs = "file";
  std::string bucket_name;
  std::string aws_region = "us-east-1";
  std::string aws_endpoint_url;
  std::string dynamodb_endpoint;
  std::string s3_endpoint;
  std::string aws_access_key_id;
  std::string aws_secret_access_key;
  std::string aws_session_token;
  std::string user_pool_client_id = "kefir-app";
  std::string jwt_private_key_file;
  std::string jwt_private_key;
  std::string public_base_url;
  std::string smtp_url;
  std::string mail_from;
  std::string vapid_private_key_file;
  std::string vapid_private_key;
  std::string
      vapid_subject;  // after defaults: mailto:<MAIL_FROM's address> (dev without one: admin@localhost)
  std::string expo_push_url = "https://exp.host/--/api/v2/push/send";
  std::string expo_access_token;
  double expo_rate = 600;
  int expo_receipt_delay = 900;
  int reminder_interval = 300;
  int refresh_reuse_grace = 30;
  double throttle_rate = 2000;
  int throttle_burst = 1000;
  int token_cache_size = 32768;  // verified access tokens remembered; 0: verify and read the mark every time
  int list_cache_mb = 4;         // serialized list pages kept while the store is unchanged; 0: none
  std::vector<std::string> cors_origins;
  int photo_retention_days = 365;
  int photo_sweep_interval = 3600;  // seconds
  std::string renditions;           // "inline", "deferred" or "" (inline where libvips is loaded)
  int rendition_interval = 15;      // seconds
  int sensor_silence = 7200;        // seconds
  int sensor_sweep_interval = 60;   // seconds
  int streams_per_user = 5;         // live streams (GET /me/stream) per account
  int max_streams = 10000;          // live streams per instance; 0: none offered
  int stream_heartbeat = 15;        // seconds
  std::string log_level = "info";
  // Set by `kefir lambda`, not by an option: behind API Gateway + Lambda responses are buffered (6 MB limit,
  // so GET /export.csv answers 303 to a generated file, SPEC §8) and the process is frozen between
  // invocations, so no work may be left to a background thread after a response.
  bool lambda_mode = false;

  // The raw text each option was given (env name -> value), after defaults; for `--help` and diagnostics.
  std::map<std::string, std::string> raw;
};

// Reads the environment into raw values (only the variables of option_specs()).
std::map<std::string, std::string> raw_options_from_environment();
// Applies defaults, converts and validates. Throws ConfigError naming the option.
Config load_config(std::map<std::string, std::string> raw);

}  // namespace kefir
