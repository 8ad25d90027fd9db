#pragma once
// The application server's VAPID identity (RFC 8292): a P-256 key and a contact subject. Browsers subscribe
// with its public key (GET /push/vapid-public-key), and push services accept only messages whose JWT that
// key signed.
#include <memory>
#include <string>

#include "config/config.hpp"
#include "util/web_push_crypto.hpp"

namespace kefir::push {

inline constexpr std::string_view kDevVapidKeyFileName = "vapid-key.pem";

struct VapidKey {
  webpush::P256Key key;
  std::string public_key;  // base64url (no padding) of the 65-byte point: the applicationServerKey
  std::string subject;     // mailto: or https: (VAPID_SUBJECT)

  // VAPID_PRIVATE_KEY, else VAPID_PRIVATE_KEY_FILE, else (stage dev only) the key kept in DATA_DIR, generated
  // on first use with mode 0600. Throws ConfigError naming the option when the key is missing or not P-256.
  static std::shared_ptr<const VapidKey> from_config(const Config& config);
};

}  // namespace kefir::push
