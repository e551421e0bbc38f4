#include "media/device/camera_source.hpp"

#include <gtest/gtest.h>

#include <string>

namespace peercall {
namespace {

TEST(CameraSource, MissingDeviceIsACleanError) {
  CameraConfig config;
  config.device = "/dev/video99";
  auto camera = CameraSource::open(config);
  ASSERT_FALSE(camera.ok());
  EXPECT_EQ(camera.error(), "camera /dev/video99: No such file or directory");
}

TEST(CameraSource, RejectsOddSizes) {
  CameraConfig config;
  config.width = 641;
  EXPECT_FALSE(CameraSource::open(config).ok());
}

TEST(CameraSource, UnknownDriverIsAnError) {
  CameraConfig config;
  config.driver = "no-such-input";
  auto camera = CameraSource::open(config);
  ASSERT_FALSE(camera.ok());
  EXPECT_NE(std::string(camera.error()).find("no-such-input"), std::string::npos);
}

// The same read/decode/convert path as a camera, fed by libavdevice's lavfi
// input: a red RGB picture must come out as I420 BT.601 red at the requested size.
CameraConfig red_rgb_input() {
  CameraConfig config;
  config.driver = "lavfi";
  config.device = "color=c=red:size=320x240:rate=25,format=rgb24";
  config.width = 160;
  config.height = 120;
  config.fps = 25;
  return config;
}

TEST(CameraSource, ConvertsToI420AtTheRequestedSize) {
  auto camera = CameraSource::open(red_rgb_input());
  ASSERT_TRUE(camera.ok()) << camera.error();
  EXPECT_NE((*camera)->describe().find("160x120@25"), std::string::npos);

  const Instant before = Clock::now();
  auto first = (*camera)->read();
  auto second = (*camera)->read();
  ASSERT_TRUE(first && second) << (*camera)->error();
  EXPECT_EQ(first->width, 160);
  EXPECT_EQ(first->height, 120);
  ASSERT_EQ(first->i420->size(), VideoFrame::buffer_size(160, 120));
  EXPECT_EQ(first->index, 0u);
  EXPECT_EQ(second->index, 1u);
  EXPECT_GE(first->capture_time, before);
  EXPECT_GE(second->capture_time, first->capture_time);

  // BT.601 limited range red is Y=81 U=90 V=240; check the middle of each plane.
  const size_t mid_luma = size_t(60) * 160 + 80;
  const size_t mid_chroma = size_t(30) * 80 + 40;
  EXPECT_NEAR(first->y()[mid_luma], 81, 3);
  EXPECT_NEAR(first->u()[mid_chroma], 90, 3);
  EXPECT_NEAR(first->v()[mid_chroma], 240, 3);
}

TEST(CameraSource, InterruptEndsReadWithoutError) {
  auto camera = CameraSource::open(red_rgb_input());
  ASSERT_TRUE(camera.ok()) << camera.error();
  ASSERT_TRUE((*camera)->read());
  (*camera)->interrupt();
  EXPECT_FALSE((*camera)->read());
  EXPECT_EQ((*camera)->error(), "");
}

}  // namespace
}  // namespace peercall
