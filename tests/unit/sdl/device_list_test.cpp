#include "media/device/device_list.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "sdl_test_support.hpp"

namespace peercall {
namespace {

using test::TempDir;

TEST(DeviceList, ReturnsWithDummyAudioDriver) {
  test::use_audio_driver("dummy");
  const DeviceList list = list_devices();
  EXPECT_EQ(list.cameras, list_cameras());
  for (const auto& name : list.microphones) EXPECT_FALSE(name.empty());
  for (const auto& name : list.speakers) EXPECT_FALSE(name.empty());
}

TEST(DeviceList, NoAudioSystemGivesEmptyAudioLists) {
  test::use_audio_driver("no-such-driver");
  const DeviceList list = list_devices();
  EXPECT_TRUE(list.microphones.empty());
  EXPECT_TRUE(list.speakers.empty());
}

TEST(DeviceList, CamerasFromFakeTreeAreOrderedAndNamed) {
  TempDir dir;
  const auto dev = dir.path() / "dev";
  const auto sys = dir.path() / "sys";
  std::filesystem::create_directories(dev);
  for (const char* node : {"video10", "video2", "video0", "videoX", "vbi0", "video"}) {
    std::ofstream(dev / node).put('\n');
  }
  std::filesystem::create_directories(sys / "video0");
  std::ofstream(sys / "video0" / "name") << "Integrated Camera: Integrated C\n";

  const auto cameras = list_cameras(dev, sys);
  ASSERT_EQ(cameras.size(), 3u);
  EXPECT_EQ(cameras[0], (dev / "video0").string() + " (Integrated Camera: Integrated C)");
  EXPECT_EQ(cameras[1], (dev / "video2").string());
  EXPECT_EQ(cameras[2], (dev / "video10").string());
}

TEST(DeviceList, MissingDirectoriesGiveNoCameras) {
  EXPECT_TRUE(list_cameras("/nonexistent/dev", "/nonexistent/sys").empty());
}

}  // namespace
}  // namespace peercall
