#pragma once
// A fresh self-signed ECDSA P-256 certificate for tests, made with OpenSSL's
// own APIs (no files, no openssl command).
#include <string>

#include "core/bytes.hpp"

namespace peercall::test {

struct TestCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
  Bytes certificate_der;
};

// Throws std::runtime_error if OpenSSL fails (a broken test machine).
TestCertificate make_test_certificate(const std::string& common_name = "peercall-test");

}  // namespace peercall::test
