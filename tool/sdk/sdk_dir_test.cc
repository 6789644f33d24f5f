#include "sdk/sdk_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace microkit::sdk {
namespace {

namespace fs = std::filesystem;

// A fresh folder per test, removed afterwards.
class SdkDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sdk_dir_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "bin");
    std::ofstream(root_ / "bin" / "microkit") << "";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string exe() const { return (root_ / "bin" / "microkit").string(); }
  fs::path root_;
};

TEST_F(SdkDirTest, VariableWinsOverTheExecutablesFolder) {
  fs::create_directories(root_ / "board");
  EXPECT_EQ(find_sdk_dir("/somewhere/else", exe()), "/somewhere/else");
}

TEST_F(SdkDirTest, GrandparentOfTheExecutableWhenItHasBoards) {
  fs::create_directories(root_ / "board" / "host" / "debug");
  EXPECT_EQ(find_sdk_dir(nullptr, exe()), root_.lexically_normal().string());
  EXPECT_EQ(find_sdk_dir("", exe()), root_.lexically_normal().string());
}

TEST_F(SdkDirTest, NoSdkForAToolOutsideOne) {
  // A build tree: <build>/tool/microkit with no <build>/board.
  EXPECT_EQ(find_sdk_dir(nullptr, exe()), std::nullopt);
  EXPECT_EQ(find_sdk_dir(nullptr, ""), std::nullopt);
}

TEST(SdkConfigDir, IsBoardThenConfig) {
  EXPECT_EQ(config_dir("/sdk", "qemu_virt_aarch64", "debug"), "/sdk/board/qemu_virt_aarch64/debug");
}

}  // namespace
}  // namespace microkit::sdk
