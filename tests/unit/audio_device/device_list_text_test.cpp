#include "media/device/device_list_text.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(DeviceListText, MarksTheDefaults) {
  DeviceList d;
  d.cameras = {"/dev/video0 (Integrated Camera)"};
  d.microphones = {"Built-in Mic", "USB Headset Mic"};
  d.speakers = {"Built-in Speakers", "USB Headset"};
  d.default_microphone = "USB Headset Mic";
  d.default_speaker = "Built-in Speakers";
  const std::string text = format_device_list(d);
  EXPECT_TRUE(has(text, "    Built-in Mic\n")) << text;
  EXPECT_TRUE(has(text, "  * USB Headset Mic  (default)\n")) << text;
  EXPECT_TRUE(has(text, "  * Built-in Speakers  (default)\n")) << text;
  EXPECT_TRUE(has(text, "    USB Headset\n")) << text;
  EXPECT_TRUE(has(text, "    /dev/video0 (Integrated Camera)\n")) << text;
  EXPECT_TRUE(has(text, "--audio mic:NAME; the default with --audio mic")) << text;
  EXPECT_FALSE(has(text, "(not in the list)")) << text;
}

TEST(DeviceListText, DefaultNotListedIsNamed) {
  DeviceList d;
  d.microphones = {"Remapped Mic"};
  d.default_microphone = "Monitor of Null Output";
  const std::string text = format_device_list(d);
  EXPECT_TRUE(has(text, "    Remapped Mic\n")) << text;
  EXPECT_TRUE(has(text, "  default: Monitor of Null Output (not in the list)\n")) << text;
}

TEST(DeviceListText, UnknownDefaultIsSaid) {
  DeviceList d;
  d.speakers = {"Speakers"};
  const std::string text = format_device_list(d);
  EXPECT_TRUE(has(text, "    Speakers\n")) << text;
  EXPECT_TRUE(has(text, "default: the system's (the audio driver does not say which)")) << text;
}

TEST(DeviceListText, EmptyListsSayNoneFound) {
  const std::string text = format_device_list(DeviceList{});
  EXPECT_TRUE(has(text, "Cameras:\n  (none found)\n")) << text;
  EXPECT_TRUE(has(text, "Microphones:\n  (none found)\n")) << text;
  EXPECT_TRUE(has(text, "Speakers:\n  (none found)\n")) << text;
  EXPECT_FALSE(has(text, "default:")) << text;
}

}  // namespace
}  // namespace peercall
