#include "api_test_support.hpp"

namespace touchpoint::hub::testing {
std::string backendStoreUrl() { return ""; }
}  // namespace touchpoint::hub::testing
