#include "util/log.hpp"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "util/json_text.hpp"
#include "util/time.hpp"

namespace kefir::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::atomic<bool> g_prod{false};

const char* level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

void write_all(const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(STDOUT_FILENO, data.data() + done, data.size() - done);
    if (n <= 0) return;  // stdout gone: logs are best effort
    done += static_cast<std::size_t>(n);
  }
}

class Sink {
 public:
  Sink() : thread_([this] { run(); }) {}
  ~Sink() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void append(std::string line, bool urgent) {
    std::unique_lock lock(mutex_);
    buffer_ += line;
    if (urgent || buffer_.size() > 64 * 1024) {
      std::string data;
      data.swap(buffer_);
      lock.unlock();
      std::lock_guard write_lock(write_mutex_);
      write_all(data);
    }
  }

  void flush() {
    std::string data;
    {
      std::lock_guard lock(mutex_);
      data.swap(buffer_);
    }
    std::lock_guard write_lock(write_mutex_);
    write_all(data);
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(50));
      if (buffer_.empty()) continue;
      std::string data;
      data.swap(buffer_);
      lock.unlock();
      {
        std::lock_guard write_lock(write_mutex_);
        write_all(data);
      }
      lock.lock();
    }
    std::string data;
    data.swap(buffer_);
    lock.unlock();
    write_all(data);
  }

  std::mutex mutex_;
  std::mutex write_mutex_;  // keeps flushed chunks in order
  std::condition_variable wake_;
  std::string buffer_;
  bool stopping_ = false;
  std::thread thread_;
};

Sink& sink() {
  static Sink instance;
  return instance;
}

}  // namespace

void set_level(Level level) {
  g_level = static_cast<int>(level);
}
bool enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}
void set_prod(bool prod) {
  g_prod = prod;
}
bool prod() {
  return g_prod;
}

bool parse_level(std::string_view text, Level& out) {
  if (text == "debug")
    out = Level::debug;
  else if (text == "info")
    out = Level::info;
  else if (text == "warn" || text == "warning")
    out = Level::warn;
  else if (text == "error")
    out = Level::error;
  else
    return false;
  return true;
}

void write(Level level, std::string_view message, boost::json::object fields) {
  if (!enabled(level)) return;
  boost::json::object line;
  line.reserve(fields.size() + 3);
  line["ts"] = format_rfc3339(std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()));
  line["level"] = level_name(level);
  line["msg"] = message;
  for (auto& field : fields) line[field.key()] = std::move(field.value());
  auto text = json_text::serialize(line);
  text.push_back('\n');
  sink().append(std::move(text), level >= Level::warn);
}

void flush() {
  sink().flush();
}

std::string email(std::string_view address) {
  if (!prod()) return std::string(address);
  auto at = address.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(address.substr(0, 1)) + "***" + std::string(address.substr(at));
}

}  // namespace kefir::log
