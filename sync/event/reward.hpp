#pragma once
// A loyalty reward: the hub's config names each one and the points balance that makes it available, and the
// hub's welcome and staff-lookup answers carry the ones a shopper can redeem (docs/PROTOCOL.md).

#include <cstdint>
#include <string>

namespace touchpoint::event {

struct Reward {
    std::string id;
    std::string name;
    std::int64_t points = 0;  ///< points balance that makes the reward available
};

}  // namespace touchpoint::event
