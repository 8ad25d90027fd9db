// The export benchmark (SPEC §14: 1,000,000 rows streamed with resident memory growing less than 20 MiB).
//
// Seeds a standalone store with one user's batches and events through the item store port, starts the real
// `kefir serve` on it, downloads GET /export.csv with libcurl (discarding the body while counting its rows),
// and samples the server's VmRSS every 10 ms. Growth = peak during the download - resident before it.
//
//   kefir_bench_export [--rows 1000000] [--batches 1000] [--data-dir DIR]
//
// With --data-dir, a directory seeded by an earlier run (same rows and batches) is reused.
#include <curl/curl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/adapters.hpp"
#include "app/app.hpp"
#include "auth/token_service.hpp"
#include "domain/batch.hpp"
#include "domain/event.hpp"
#include "util/ids.hpp"

namespace {

using namespace kefir;
namespace fs = std::filesystem;

constexpr const char* kUser = "bench-user";
constexpr std::int64_t kMiB = 1024 * 1024;

struct Options {
  std::int64_t rows = 1'000'000;
  std::int64_t batches = 1000;
  std::string data_dir;
};

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rows")
      options.rows = std::stoll(argv[i + 1]);
    else if (flag == "--batches")
      options.batches = std::stoll(argv[i + 1]);
    else if (flag == "--data-dir")
      options.data_dir = argv[i + 1];
    else
      throw std::runtime_error("unknown option " + flag);
  }
  if (options.batches < 1 || options.rows < options.batches)
    throw std::runtime_error("need rows >= batches >= 1");
  return options;
}

// Batches and their events (the CSV's rows besides the header), written 25 to a transaction from several
// threads so the store's group commit batches the fsyncs.
void seed(const Options& options, const fs::path& data_dir) {
  Config config;
  config.data_dir = data_dir.string();
  SystemClock clock;
  auto store = make_item_store(config, clock);
  UuidV7Generator batch_ids;
  auto start = clock.now() - hours(24 * 30);
  std::int64_t events_total = options.rows - options.batches;
  std::atomic<std::int64_t> next_batch{0};
  auto worker = [&] {
    for (auto b = next_batch++; b < options.batches; b = next_batch++) {
      domain::Batch batch;
      batch.batch_id = batch_ids.next(epoch_millis(start) + b);
      batch.user_id = kUser;
      batch.name = "Batch " + std::to_string(b) + ", ginger & \"lemon\"";
      batch.stage = std::string(domain::kStageOpen);
      batch.start_date = batch.created_at = batch.updated_at = start + minutes(b);
      batch.notes = "Filtered water, 60 g sugar, two figs.\nSecond line of notes, with a comma.";
      batch.fruits = {"lemon", "fig"};
      std::vector<store::WriteOp> writes{store::Put{domain::to_item(batch), std::nullopt}};
      auto events = events_total / options.batches + (b < events_total % options.batches ? 1 : 0);
      for (std::int64_t e = 0; e < events; ++e) {
        domain::Event event;
        event.event_id = uuid_v4();
        event.batch_id = batch.batch_id;
        event.user_id = kUser;
        event.type = "observation";
        event.timestamp = event.created_at = batch.start_date + seconds(e);
        event.description = "Observation " + std::to_string(e) + ": bubbles, slightly sour, \"fizzy\"";
        event.metadata = {{"ph", 3.5}, {"temperatureC", 22}};
        writes.push_back(store::Put{domain::to_item(event), std::nullopt});
        if (writes.size() == store::kMaxTransactionItems) {
          store->transact_write(writes);
          writes.clear();
        }
      }
      if (!writes.empty()) store->transact_write(writes);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back(worker);
  for (auto& thread : threads) thread.join();
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(address.sin_port);
}

pid_t start_server(const fs::path& data_dir, const fs::path& key_file, int port) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("DATA_DIR", data_dir.c_str(), 1);
    setenv("PORT", std::to_string(port).c_str(), 1);
    setenv("JWT_PRIVATE_KEY_FILE", key_file.c_str(), 1);
    setenv("LOG_LEVEL", "warn", 1);
    execl(KEFIR_BINARY, KEFIR_BINARY, "serve", static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

std::int64_t resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  return 0;
}

// Rows of an RFC 4180 stream: CRLFs outside quoted cells, carried across chunks.
struct RowCounter {
  bool quoted = false;
  char previous = 0;
  std::int64_t rows = 0;
  std::int64_t bytes = 0;

  void feed(const char* data, std::size_t size) {
    bytes += static_cast<std::int64_t>(size);
    for (std::size_t i = 0; i < size; ++i) {
      char c = data[i];
      if (c == '"') quoted = !quoted;
      if (!quoted && c == '\n' && previous == '\r') ++rows;
      previous = c;
    }
  }
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* counter) {
  static_cast<RowCounter*>(counter)->feed(data, size * count);
  return size * count;
}

long get(const std::string& url, const std::string& token, RowCounter& counter) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, ("Authorization: Bearer " + token).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &counter);
  auto code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) throw std::runtime_error(std::string("GET failed: ") + curl_easy_strerror(code));
  return status;
}

void wait_until_serving(const std::string& base_url) {
  for (int i = 0; i < 500; ++i) {
    RowCounter ignored;
    try {
      if (get(base_url + "/healthz", "", ignored) == 200) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("kefir serve did not start");
}

double mib(std::int64_t bytes) {
  return static_cast<double>(bytes) / static_cast<double>(kMiB);
}

}  // namespace

int main(int argc, char** argv) try {
  auto options = parse_options(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  bool own_dir = options.data_dir.empty();
  fs::path data_dir =
      own_dir ? fs::temp_directory_path() / ("kefir-bench-export-" + uuid_v4()) : fs::path(options.data_dir);
  fs::create_directories(data_dir);
  auto key_file = data_dir / "bench-signing-key.pem";
  auto marker = data_dir / ("seeded-" + std::to_string(options.rows) + "-" + std::to_string(options.batches));
  if (!fs::exists(marker)) {
    std::ofstream(key_file) << auth::TokenService::generate_private_key_pem();
    auto started = std::chrono::steady_clock::now();
    seed(options, data_dir);
    std::ofstream{marker};
    std::printf("seeded %lld rows (%lld batches) in %.1f s\n", static_cast<long long>(options.rows),
                static_cast<long long>(options.batches),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  int port = free_port();
  auto base_url = "http://127.0.0.1:" + std::to_string(port);
  pid_t server = start_server(data_dir, key_file, port);
  wait_until_serving(base_url);
  std::stringstream pem;
  pem << std::ifstream(key_file).rdbuf();
  SystemClock clock;
  auth::TokenService tokens(pem.str(), base_url, "kefir-app", clock);
  auto token = tokens.issue_access_token(kUser);

  // Warm up the paths the export takes (authentication, store readers) before the baseline.
  for (int i = 0; i < 3; ++i) {
    RowCounter warm;
    get(base_url + "/export.csv?type=devices", token, warm);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto baseline = resident_bytes(server);
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> peak{baseline};
  std::thread sampler([&] {
    while (!done) {
      auto now = resident_bytes(server);
      if (now > peak) peak = now;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  RowCounter counter;
  auto started = std::chrono::steady_clock::now();
  auto status = get(base_url + "/export.csv", token, counter);
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  done = true;
  sampler.join();
  auto after = resident_bytes(server);
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  if (own_dir) fs::remove_all(data_dir);

  auto data_rows = counter.rows - 1;  // the header
  auto growth = peak - baseline;
  std::printf("status %ld, %lld data rows, %.1f MiB in %.2f s (%.0f rows/s, %.1f MiB/s)\n", status,
              static_cast<long long>(data_rows), mib(counter.bytes), elapsed,
              static_cast<double>(data_rows) / elapsed, mib(counter.bytes) / elapsed);
  std::printf(
      "server RSS: %.1f MiB before, %.1f MiB peak, %.1f MiB after; growth %.1f MiB (target < 20 MiB): %s\n",
      mib(baseline), mib(peak), mib(after), mib(growth), growth < 20 * kMiB ? "PASS" : "FAIL");
  return status == 200 && data_rows == options.rows && growth < 20 * kMiB ? 0 : 1;
} catch (const std::exception& error) {
  std::cerr << "kefir_bench_export: " << error.what() << "\n";
  return 2;
}
