#include "support/file_bytes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace microkit {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const char* name) {
  return fs::temp_directory_path() / ("file_bytes_test_" + std::to_string(::getpid()) + "_" + name);
}

TEST(ReadFileBytes, ReadsEveryByteOfABinaryFile) {
  fs::path p = scratch("bin");
  std::vector<uint8_t> want;
  for (int i = 0; i < 100000; ++i) want.push_back(static_cast<uint8_t>(i * 7));  // includes 0 and 0xff
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(want.data()), want.size());
  auto got = read_file_bytes(p.string());
  fs::remove(p);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, want);
}

TEST(ReadFileBytes, EmptyFileIsEmpty) {
  fs::path p = scratch("empty");
  std::ofstream(p, std::ios::binary).close();
  auto got = read_file_bytes(p.string());
  fs::remove(p);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
}

TEST(ReadFileBytes, MissingFileAndDirectoryAreRefused) {
  EXPECT_FALSE(read_file_bytes(scratch("missing").string()));
  EXPECT_FALSE(read_file_bytes(fs::temp_directory_path().string()));
}

}  // namespace
}  // namespace microkit
