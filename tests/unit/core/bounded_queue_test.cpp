#include "core/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <thread>

using peercall::BoundedQueue;

TEST(BoundedQueue, DropsOldestWhenFull) {
  BoundedQueue<int> q(2);
  q.push(1);
  q.push(2);
  q.push(3);
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_EQ(q.try_pop(), 2);
  EXPECT_EQ(q.try_pop(), 3);
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

TEST(BoundedQueue, CloseWakesBlockedPop) {
  BoundedQueue<int> q(4);
  std::thread t([&] { q.close(); });
  EXPECT_EQ(q.pop(), std::nullopt);
  t.join();
  EXPECT_FALSE(q.push(5));
}

TEST(BoundedQueue, ItemsQueuedBeforeCloseAreStillDelivered) {
  BoundedQueue<int> q(4);
  q.push(7);
  q.close();
  EXPECT_EQ(q.pop(), 7);
  EXPECT_EQ(q.pop(), std::nullopt);
}
