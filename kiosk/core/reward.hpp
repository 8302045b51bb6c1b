#pragma once
// A reward the hub says a shopper can redeem, as both the welcome answer and the staff lookup carry it
// (docs/PROTOCOL.md).

#include <cstdint>
#include <string>

namespace touchpoint::kiosk {

struct Reward {
    std::string id;
    std::string name;
    std::int64_t points = 0;
};

}  // namespace touchpoint::kiosk
