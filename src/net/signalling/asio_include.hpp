#pragma once
// Include asio through here. asio's config reads libstdc++'s feature macros
// when it is first included; with no standard header before it, translation
// units disagree on how asio allocates handler memory (new vs aligned_alloc),
// an ODR violation ASan reports as alloc-dealloc-mismatch.
#include <cstddef>  // first: defines libstdc++'s feature macros

#include <asio.hpp>
