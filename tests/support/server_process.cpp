#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "support/test_env.hpp"

namespace kefir::test {
namespace {

std::vector<std::string> build_environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (const char* name : {"PATH", "HOME", "TMPDIR", "LANG", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (const char* value = std::getenv(name)) env[name] = value;
  for (const auto& [key, value] : extra) env[key] = value;
  std::vector<std::string> out;
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, int out_fd,
            int err_fd) {
  std::vector<char*> argv;
  std::string binary = KEFIR_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> args_copy = args;
  for (auto& arg : args_copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (auto& entry : env_copy) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ServerProcess::ServerProcess(ServerConfig config) {
  auto env = config.env;
  if (!env.contains("DATA_DIR")) {
    data_dir_ = (std::filesystem::temp_directory_path() / ("kefir-server-" + unique_suffix())).string();
    std::filesystem::create_directories(data_dir_);
    own_data_dir_ = true;
    env["DATA_DIR"] = data_dir_;
  } else {
    data_dir_ = env["DATA_DIR"];
  }
  env.try_emplace("PORT", "0");
  port_ = std::stoi(env["PORT"]);  // a fixed port is known now; port 0 is read from the "listening" line
  env.try_emplace("STAGE", "dev");
  env.try_emplace("EXPO_PUSH_URL", "http://127.0.0.1:9/unused");  // never the real Expo service from tests
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  pid_ = spawn(config.args, build_environment(env), out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  stdout_thread_ = std::thread([this, fd = out_pipe[0]] { reader(fd, true); });
  stderr_thread_ = std::thread([this, fd = err_pipe[0]] { reader(fd, false); });
  if (!config.wait_until_listening) return;
  auto line = wait_for_output(
      [](const std::string& l) { return l.find("\"msg\":\"listening\"") != std::string::npos; },
      config.start_timeout);
  if (line.empty()) {
    auto err = stderr_text();
    signal(SIGKILL);
    wait_exit();
    stdout_thread_.join();
    stderr_thread_.join();
    throw std::runtime_error("kefir did not start listening; stderr: " + err);
  }
  port_ = static_cast<int>(boost::json::parse(line).as_object().at("port").to_number<int>());
}

ServerProcess::~ServerProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait_exit();
  }
  if (stdout_thread_.joinable()) stdout_thread_.join();
  if (stderr_thread_.joinable()) stderr_thread_.join();
  if (own_data_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }
}

void ServerProcess::reader(int fd, bool is_stdout) {
  char buffer[65536];
  std::string partial;
  for (;;) {
    auto n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    if (is_stdout) {
      partial.append(buffer, static_cast<std::size_t>(n));
      std::size_t newline;
      while ((newline = partial.find('\n')) != std::string::npos) {
        stdout_lines_.push_back(partial.substr(0, newline));
        partial.erase(0, newline + 1);
      }
    } else {
      stderr_text_.append(buffer, static_cast<std::size_t>(n));
    }
    changed_.notify_all();
  }
  close(fd);
}

std::vector<std::string> ServerProcess::stdout_lines() const {
  std::lock_guard lock(mutex_);
  return stdout_lines_;
}

std::string ServerProcess::stderr_text() const {
  std::lock_guard lock(mutex_);
  return stderr_text_;
}

std::string ServerProcess::wait_for_output(const std::function<bool(const std::string&)>& predicate,
                                           std::chrono::milliseconds timeout, bool from_stderr) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  std::size_t checked = 0;
  for (;;) {
    if (from_stderr) {
      if (predicate(stderr_text_)) return stderr_text_;
    } else {
      for (; checked < stdout_lines_.size(); ++checked)
        if (predicate(stdout_lines_[checked])) return stdout_lines_[checked];
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (from_stderr) return predicate(stderr_text_) ? stderr_text_ : std::string();
      for (; checked < stdout_lines_.size(); ++checked)
        if (predicate(stdout_lines_[checked])) return stdout_lines_[checked];
      return {};
    }
  }
}

void ServerProcess::signal(int sig) {
  if (pid_ > 0 && !exited_) ::kill(pid_, sig);
}

int ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      exit_code_ = decode_status(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ServerProcess::terminate() {
  signal(SIGTERM);
  return wait_exit();
}

bool ServerProcess::running() const {
  return pid_ > 0 && !exited_;
}

CommandResult run_kefir(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                        std::chrono::milliseconds timeout) {
  TempDir out_dir;
  auto out_path = out_dir.path() / "out", err_path = out_dir.path() / "err";
  int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = spawn(args, build_environment(env), out_fd, err_fd);
  close(out_fd);
  close(err_fd);
  CommandResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      result.exit_code = decode_status(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto slurp = [](const std::filesystem::path& path) {
    std::string text;
    int fd = open(path.c_str(), O_RDONLY);
    char buffer[65536];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    return text;
  };
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

}  // namespace kefir::test
