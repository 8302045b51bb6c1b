#pragma once
// A reward the hub says a shopper can redeem, as both the welcome answer and the staff lookup carry it: the
// one reward type every program shares (event/reward.hpp).

#include "event/reward.hpp"

namespace touchpoint::kiosk {

using Reward = event::Reward;

}  // namespace touchpoint::kiosk
