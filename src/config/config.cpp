#include "config/config.hpp"

#include <cstdlib>
#include <filesystem>

namespace kefir {
namespace {

int parse_int(const std::map<std::string, std::string>& raw, const char* name, int min, int max) {
  const auto& text = raw.at(name);
  try {
    std::size_t used = 0;
    long value = std::stol(text, &used);
    if (used != text.size() || value < min || value > max) throw std::out_of_range(name);
    return static_cast<int>(value);
  } catch (const std::exception&) {
    throw ConfigError(std::string(name) + ": must be an integer from " + std::to_string(min) + " to " +
                      std::to_string(max) + " (got '" + text + "')");
  }
}

double parse_double(const std::map<std::string, std::string>& raw, const char* name, double min, double max) {
  const auto& text = raw.at(name);
  try {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    if (used != text.size() || !(value >= min && value <= max)) throw std::out_of_range(name);
    return value;
  } catch (const std::exception&) {
    throw ConfigError(std::string(name) + ": must be a number from " +
                      std::to_string(static_cast<long>(min)) + " to " +
                      std::to_string(static_cast<long>(max)) + " (got '" + text + "')");
  }
}

std::string one_of(const std::map<std::string, std::string>& raw, const char* name,
                   std::initializer_list<const char*> allowed) {
  const auto& text = raw.at(name);
  std::string list;
  for (const char* option : allowed) {
    if (text == option) return text;
    list += (list.empty() ? "" : ", ") + std::string(option);
  }
  throw ConfigError(std::string(name) + ": must be one of " + list + " (got '" + text + "')");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    auto item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

void require_url(const std::string& name, const std::string& value) {
  if (value.empty()) return;
  if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0)
    throw ConfigError(name + ": must be an http:// or https:// URL (got '" + value + "')");
}

// VAPID_SUBJECT, or a mailto: of MAIL_FROM's address ("Kefir <no-reply@example.com>" or a bare address); push
// services refuse anything but mailto: and https: (RFC 8292 §2.1).
std::string vapid_subject(const std::string& given, const std::string& mail_from, bool prod) {
  if (!given.empty()) {
    if (!given.starts_with("mailto:") && !given.starts_with("https://"))
      throw ConfigError("VAPID_SUBJECT: must be a mailto: or https: URL (got '" + given + "')");
    return given;
  }
  auto open = mail_from.find('<');
  auto close = mail_from.rfind('>');
  auto address = open != std::string::npos && close != std::string::npos && close > open
                     ? mail_from.substr(open + 1, close - open - 1)
                     : mail_from;
  if (address.find('@') != std::string::npos && address.find(' ') == std::string::npos)
    return "mailto:" + address;
  if (prod) throw ConfigError("VAPID_SUBJECT: required in stage prod when MAIL_FROM holds no address");
  return "mailto:admin@localhost";
}

// Stage prod has no development fallbacks: every secret and address must be given, all named at once.
void require_prod_settings(const Config& config) {
  std::vector<std::string> missing;
  if (config.jwt_private_key_file.empty() && config.jwt_private_key.empty())
    missing.push_back("JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY");
  if (config.vapid_private_key_file.empty() && config.vapid_private_key.empty())
    missing.push_back("VAPID_PRIVATE_KEY_FILE or VAPID_PRIVATE_KEY");
  if (config.smtp_url.empty()) missing.push_back("SMTP_URL");
  if (config.public_base_url.empty()) missing.push_back("PUBLIC_BASE_URL");
  if (config.cors_origins.empty()) missing.push_back("CORS_ORIGINS");
  if (missing.empty()) return;
  std::string list;
  for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
  throw ConfigError("stage prod requires " + list);
}

}  // namespace

const std::vector<OptionSpec>& option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"STAGE", "--stage", "dev", "dev | prod"},
      {"PORT", "--port", "8080", "TCP port (0: any free port, printed in the 'listening' log line)"},
      {"HOST", "--host", "127.0.0.1", "address to listen on"},
      {"DATA_DIR", "--data-dir", "./data", "SQLite file, photos, dev signing key and outbox"},
      {"THREADS", "--threads", "0", "I/O threads (0: one per core)"},
      {"READ_TIMEOUT", "--read-timeout", "30",
       "seconds a client may take to send a request; keep-alive idle limit"},
      {"STORE", "--store", "sqlite", "sqlite | dynamodb"},
      {"TABLE_NAME", "--table-name", "kefir-app-<stage>-table", "DynamoDB table name"},
      {"BLOBS", "--blobs", "file", "file | s3"},
      {"BUCKET_NAME", "--bucket-name", "kefir-app-<stage>-photos", "S3 bucket for photos"},
      {"AWS_REGION", "--aws-region", "us-east-1", "AWS region"},
      {"AWS_ENDPOINT_URL", "--aws-endpoint-url", "", "endpoint for every AWS API (local engines)"},
      {"DYNAMODB_ENDPOINT", "--dynamodb-endpoint", "", "DynamoDB-API endpoint (overrides AWS_ENDPOINT_URL)"},
      {"S3_ENDPOINT", "--s3-endpoint", "", "S3-API endpoint, path-style (overrides AWS_ENDPOINT_URL)"},
      {"AWS_ACCESS_KEY_ID", "--aws-access-key-id", "", "AWS credentials"},
      {"AWS_SECRET_ACCESS_KEY", "--aws-secret-access-key", "", "AWS credentials"},
      {"AWS_SESSION_TOKEN", "--aws-session-token", "", "AWS credentials (temporary)"},
      {"USER_POOL_CLIENT_ID", "--user-pool-client-id", "kefir-app", "tokens' client_id / aud"},
      {"JWT_PRIVATE_KEY_FILE", "--jwt-private-key-file", "", "RSA-2048 signing key (PEM file)"},
      {"JWT_PRIVATE_KEY", "--jwt-private-key", "", "RSA-2048 signing key (the PEM itself)"},
      {"PUBLIC_BASE_URL", "--public-base-url", "", "external URL; tokens' iss (dev: http://<HOST>:<PORT>)"},
      {"SMTP_URL", "--smtp-url", "", "smtp://user:pass@host:587 (dev without it: console mail)"},
      {"MAIL_FROM", "--mail-from", "Kefir <no-reply@kefir.local>", "sender of sign-in mail"},
      {"VAPID_PRIVATE_KEY_FILE", "--vapid-private-key-file", "",
       "Web Push VAPID key: P-256 EC private key (PEM file; dev without it: generated in DATA_DIR)"},
      {"VAPID_PRIVATE_KEY", "--vapid-private-key", "", "Web Push VAPID key (the PEM itself)"},
      {"VAPID_SUBJECT", "--vapid-subject", "",
       "VAPID contact, mailto: or https: (default: mailto:<MAIL_FROM address>)"},
      {"EXPO_PUSH_URL", "--expo-push-url", "https://exp.host/--/api/v2/push/send", "Expo Push API endpoint"},
      {"EXPO_ACCESS_TOKEN", "--expo-access-token", "", "Expo access token (bearer)"},
      {"EXPO_RATE", "--expo-rate", "600", "push notifications per second (0: unlimited)"},
      {"EXPO_RECEIPT_DELAY", "--expo-receipt-delay", "900", "seconds before reading push receipts"},
      {"REMINDER_INTERVAL", "--reminder-interval", "300", "seconds between reminder sweeps"},
      {"REFRESH_REUSE_GRACE", "--refresh-reuse-grace", "30",
       "seconds a rotated refresh token may be replayed"},
      {"THROTTLE_RATE", "--throttle-rate", "2000", "steady requests per second"},
      {"THROTTLE_BURST", "--throttle-burst", "1000", "burst size"},
      {"TOKEN_CACHE_SIZE", "--token-cache-size", "32768",
       "verified access tokens remembered (0: check the signature and read the revocation mark on every "
       "request)"},
      {"LIST_CACHE_MB", "--list-cache-mb", "32",
       "MiB of list pages kept until their user's next write (0: build every page; SQLite store only)"},
      {"CORS_ORIGINS", "--cors-origins", "https://kefirproducer.com,https://*.kefirproducer.com",
       "allowed origins in prod (dev allows *)"},
      {"PHOTO_RETENTION_DAYS", "--photo-retention-days", "365", "days photos are kept (0: forever)"},
      {"PHOTO_SWEEP_INTERVAL", "--photo-sweep-interval", "3600",
       "seconds between photo lifecycle sweeps (retention, abandoned and orphaned uploads)"},
      {"RENDITIONS", "--renditions", "",
       "inline | deferred: photo renditions made by the attach call, or later by a rendition worker "
       "(default: inline where libvips is loaded, else deferred)"},
      {"RENDITION_INTERVAL", "--rendition-interval", "15",
       "seconds between the rendition worker's passes over deferred photos"},
      {"SENSOR_SILENCE", "--sensor-silence", "7200",
       "seconds without a reading before an attached sensor's silence alert"},
      {"SENSOR_SWEEP_INTERVAL", "--sensor-sweep-interval", "60", "seconds between sensor silence sweeps"},
      {"STREAMS_PER_USER", "--streams-per-user", "5",
       "live streams (GET /me/stream) one account may hold open"},
      {"MAX_STREAMS", "--max-streams", "10000", "live streams one instance holds open"},
      {"STREAM_HEARTBEAT", "--stream-heartbeat", "15", "seconds between live stream heartbeats"},
      {"LOG_LEVEL", "--log-level", "info", "debug | info | warn | error"},
  };
  return specs;
}

std::map<std::string, std::string> raw_options_from_environment() {
  std::map<std::string, std::string> raw;
  for (const auto& spec : option_specs())
    if (const char* value = std::getenv(spec.env)) raw[spec.env] = value;
  return raw;
}

Config load_config(std::map<std::string, std::string> raw) {
  for (const auto& spec : option_specs()) raw.try_emplace(spec.env, spec.fallback);
  Config config;
  config.stage = one_of(raw, "STAGE", {"dev", "prod"});
  auto with_stage = [&](std::string text) {
    auto at = text.find("<stage>");
    if (at != std::string::npos) text.replace(at, 7, config.stage);
    return text;
  };
  config.port = parse_int(raw, "PORT", 0, 65535);
  config.host = raw.at("HOST");
  if (config.host.empty()) throw ConfigError("HOST: must not be empty");
  config.data_dir = raw.at("DATA_DIR");
  if (config.data_dir.empty()) throw ConfigError("DATA_DIR: must not be empty");
  config.threads = parse_int(raw, "THREADS", 0, 256);
  config.read_timeout = parse_int(raw, "READ_TIMEOUT", 1, 3600);
  config.store = one_of(raw, "STORE", {"sqlite", "dynamodb"});
  config.table_name = with_stage(raw.at("TABLE_NAME"));
  config.blobs = one_of(raw, "BLOBS", {"file", "s3"});
  config.bucket_name = with_stage(raw.at("BUCKET_NAME"));
  config.aws_region = raw.at("AWS_REGION");
  config.aws_endpoint_url = raw.at("AWS_ENDPOINT_URL");
  config.dynamodb_endpoint = raw.at("DYNAMODB_ENDPOINT");
  config.s3_endpoint = raw.at("S3_ENDPOINT");
  require_url("AWS_ENDPOINT_URL", config.aws_endpoint_url);
  require_url("DYNAMODB_ENDPOINT", config.dynamodb_endpoint);
  require_url("S3_ENDPOINT", config.s3_endpoint);
  config.aws_access_key_id = raw.at("AWS_ACCESS_KEY_ID");
  config.aws_secret_access_key = raw.at("AWS_SECRET_ACCESS_KEY");
  config.aws_session_token = raw.at("AWS_SESSION_TOKEN");
  config.user_pool_client_id = raw.at("USER_POOL_CLIENT_ID");
  config.jwt_private_key_file = raw.at("JWT_PRIVATE_KEY_FILE");
  config.jwt_private_key = raw.at("JWT_PRIVATE_KEY");
  config.public_base_url = raw.at("PUBLIC_BASE_URL");
  require_url("PUBLIC_BASE_URL", config.public_base_url);
  while (!config.public_base_url.empty() && config.public_base_url.back() == '/')
    config.public_base_url.pop_back();
  config.smtp_url = raw.at("SMTP_URL");
  if (!config.smtp_url.empty() && config.smtp_url.rfind("smtp://", 0) != 0 &&
      config.smtp_url.rfind("smtps://", 0) != 0)
    throw ConfigError("SMTP_URL: must start with smtp:// or smtps:// (got '" + config.smtp_url + "')");
  config.mail_from = raw.at("MAIL_FROM");
  config.vapid_private_key_file = raw.at("VAPID_PRIVATE_KEY_FILE");
  config.vapid_private_key = raw.at("VAPID_PRIVATE_KEY");
  config.vapid_subject = vapid_subject(raw.at("VAPID_SUBJECT"), config.mail_from, config.prod());
  config.expo_push_url = raw.at("EXPO_PUSH_URL");
  require_url("EXPO_PUSH_URL", config.expo_push_url);
  config.expo_access_token = raw.at("EXPO_ACCESS_TOKEN");
  config.expo_rate = parse_double(raw, "EXPO_RATE", 0, 1e6);
  config.expo_receipt_delay = parse_int(raw, "EXPO_RECEIPT_DELAY", 0, 86400);
  config.reminder_interval = parse_int(raw, "REMINDER_INTERVAL", 1, 86400);
  config.refresh_reuse_grace = parse_int(raw, "REFRESH_REUSE_GRACE", 0, 3600);
  config.throttle_rate = parse_double(raw, "THROTTLE_RATE", 0, 1e7);
  config.throttle_burst = parse_int(raw, "THROTTLE_BURST", 0, 10000000);
  config.token_cache_size = parse_int(raw, "TOKEN_CACHE_SIZE", 0, 10000000);
  config.list_cache_mb = parse_int(raw, "LIST_CACHE_MB", 0, 4096);
  config.cors_origins = split_list(raw.at("CORS_ORIGINS"));
  config.photo_retention_days = parse_int(raw, "PHOTO_RETENTION_DAYS", 0, 36500);
  config.photo_sweep_interval = parse_int(raw, "PHOTO_SWEEP_INTERVAL", 1, 86400);
  if (!raw.at("RENDITIONS").empty()) config.renditions = one_of(raw, "RENDITIONS", {"inline", "deferred"});
  config.rendition_interval = parse_int(raw, "RENDITION_INTERVAL", 1, 86400);
  config.sensor_silence = parse_int(raw, "SENSOR_SILENCE", 1, 30 * 86400);
  config.sensor_sweep_interval = parse_int(raw, "SENSOR_SWEEP_INTERVAL", 1, 86400);
  config.streams_per_user = parse_int(raw, "STREAMS_PER_USER", 1, 1000000);
  config.max_streams = parse_int(raw, "MAX_STREAMS", 0, 1000000);
  config.stream_heartbeat = parse_int(raw, "STREAM_HEARTBEAT", 1, 3600);
  config.log_level = one_of(raw, "LOG_LEVEL", {"debug", "info", "warn", "error"});

  if (config.public_base_url.empty() && !config.prod())
    config.public_base_url = "http://" + config.host + ":" + std::to_string(config.port);
  if (config.prod()) require_prod_settings(config);
  config.raw = std::move(raw);
  return config;
}

}  // namespace kefir
