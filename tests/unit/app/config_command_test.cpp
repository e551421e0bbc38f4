// The settings file overrides a default; a flag overrides the file; `config`
// says which is which.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/config_command.hpp"

using namespace peercall;

namespace {

struct TestLine : CommandLine {
  int port = 5004;
  std::string accept = "invited";
  bool quiet = false;
  TestLine(bool read_file, const std::string& path) : CommandLine("test") {
    app.require_subcommand(1);
    app.option_defaults()->always_capture_default();
    if (read_file) {
      app.set_config("--config", path);
      app.allow_config_extras(CLI::config_extras_mode::error);
    }
    auto* listen = app.add_subcommand("listen");
    listen->add_option("--port", port);
    listen->add_option("--accept", accept);
    listen->add_flag("--quiet", quiet);
    app.add_subcommand("config")->allow_extras()->prefix_command();
  }
};

class ConfigCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("peercall-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "peercall.conf").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::string run(const std::vector<std::string>& args, int expected_exit = 0) {
    testing::internal::CaptureStdout();
    const int rc = run_config_command(
        args, [this](bool with_file) { return std::make_unique<TestLine>(with_file, path_); }, path_);
    std::string out = testing::internal::GetCapturedStdout();
    EXPECT_EQ(rc, expected_exit);
    return out;
  }
  static std::string line_of(const std::string& out, const std::string& name) {
    const size_t at = out.find("  " + name + " = ");
    if (at == std::string::npos) return "";
    return out.substr(at, out.find('\n', at) - at);
  }
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace

TEST_F(ConfigCommand, DefaultsWithoutAFile) {
  const std::string out = run({});
  EXPECT_NE(out.find("(not there"), std::string::npos) << out;
  EXPECT_NE(line_of(out, "port").find("5004"), std::string::npos) << out;
  EXPECT_NE(line_of(out, "port").find("# default"), std::string::npos) << out;
}

TEST_F(ConfigCommand, FileOverridesDefaultAndFlagOverridesFile) {
  write("[listen]\nport = 6000\naccept = \"ask\"\nquiet = true\n");
  const std::string from_file = run({});
  EXPECT_NE(from_file.find("(read)"), std::string::npos) << from_file;
  EXPECT_NE(line_of(from_file, "port").find("6000"), std::string::npos) << from_file;
  EXPECT_NE(line_of(from_file, "port").find("# file"), std::string::npos) << from_file;
  EXPECT_NE(line_of(from_file, "accept").find("\"ask\""), std::string::npos) << from_file;
  EXPECT_NE(line_of(from_file, "quiet").find("true"), std::string::npos) << from_file;

  const std::string with_flag = run({"listen", "--port", "7000"});
  EXPECT_NE(line_of(with_flag, "port").find("7000"), std::string::npos) << with_flag;
  EXPECT_NE(line_of(with_flag, "port").find("# flag"), std::string::npos) << with_flag;
  EXPECT_NE(line_of(with_flag, "accept").find("# file"), std::string::npos) << with_flag;

  // And the values the program would use follow the same order.
  TestLine line(true, path_);
  line.app.parse(std::vector<std::string>{"7000", "--port", "listen"});
  EXPECT_EQ(line.port, 7000);
  EXPECT_EQ(line.accept, "ask");
  EXPECT_TRUE(line.quiet);
}

TEST_F(ConfigCommand, AMisspeltSettingIsAnError) {
  write("[listen]\nprot = 6000\n");
  testing::internal::CaptureStderr();
  run({}, 2);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("prot"), std::string::npos) << err;
}
