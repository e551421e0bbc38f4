#pragma once
// Boost.Asio under the short name the code uses. Boost's (not standalone) asio,
// because Boost.Beast (signalling over HTTPS) and asio::ssl are built on it.
// <utility> first: Boost 1.74's awaitable.hpp uses std::exchange without it (GCC 12).
#include <utility>

#include <boost/asio.hpp>

namespace asio = boost::asio;
