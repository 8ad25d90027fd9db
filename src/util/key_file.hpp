#pragma once
// Private key files: reading the PEM an option names, and the key stage dev generates and keeps in DATA_DIR
// (the JWT signing key, the VAPID key). Failures are ConfigErrors: they stop the start-up with one line.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace kefir::key_file {

std::string read_text(const std::filesystem::path& path);

// A new file only the owner can read, written and synced; throws ConfigError, leaving no file, when that
// fails. An existing file is never replaced.
void create_private(const std::filesystem::path& path, std::string_view content);

// Stage dev keeps its generated keys in DATA_DIR. Several processes may start on one DATA_DIR at once: the
// key is written to a private temporary file and hard-linked into place, so exactly one key wins and nobody
// reads a half-written file. `generate` makes the PEM when the file does not exist yet; `what` names it in
// the log.
std::string load_or_create_dev_key(const std::string& data_dir, std::string_view file_name,
                                   const std::function<std::string()>& generate, std::string_view what);

// Lambda environments often carry a PEM with literal "\n" sequences instead of line breaks.
std::string normalise_pem_text(std::string text);

}  // namespace kefir::key_file
