#include "adapters/webpush/vapid_key.hpp"

#include <filesystem>
#include <stdexcept>

#include "util/crypto.hpp"
#include "util/key_file.hpp"

namespace kefir::push {

std::shared_ptr<const VapidKey> VapidKey::from_config(const Config& config) {
  if (!config.vapid_private_key.empty() && !config.vapid_private_key_file.empty())
    throw ConfigError("VAPID_PRIVATE_KEY and VAPID_PRIVATE_KEY_FILE are both set; set only one");
  std::string source;
  std::string pem;
  try {
    if (!config.vapid_private_key.empty()) {
      source = "VAPID_PRIVATE_KEY";
      pem = key_file::normalise_pem_text(config.vapid_private_key);
    } else if (!config.vapid_private_key_file.empty()) {
      source = "VAPID_PRIVATE_KEY_FILE";
      pem = key_file::read_text(config.vapid_private_key_file);
    } else if (config.prod()) {
      throw ConfigError("stage prod requires VAPID_PRIVATE_KEY_FILE or VAPID_PRIVATE_KEY");
    } else {
      source = (std::filesystem::path(config.data_dir) / kDevVapidKeyFileName).string();
      pem = key_file::load_or_create_dev_key(
          config.data_dir, kDevVapidKeyFileName, [] { return webpush::P256Key::generate().private_pem(); },
          "VAPID key");
    }
  } catch (const ConfigError& error) {
    if (source.empty()) throw;
    throw ConfigError(source + ": " + error.what());
  }
  try {
    auto key = webpush::P256Key::from_private_pem(pem);
    auto public_key = crypto::base64url_encode(key.public_point());
    return std::make_shared<const VapidKey>(
        VapidKey{std::move(key), std::move(public_key), config.vapid_subject});
  } catch (const std::invalid_argument& error) {
    throw ConfigError(source + ": " + error.what());
  }
}

}  // namespace kefir::push
