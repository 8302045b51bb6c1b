#pragma once
// The kiosk-shaped message mix the ingest benches send: sign-ins and consents with sealed phones, feedback
// (a third of it with a sealed comment), abandoned surveys and heartbeats, from a population of returning
// shoppers so the identity graph and cooldowns do real work: each session is one shopper's visit at one kiosk,
// with a valid phone number the hub can read.

#include <cstdint>
#include <random>
#include <string>

#include "event/kiosk_events.hpp"

namespace touchpoint::bench {

/// Message `i` of a kiosk's traffic from `factory`; `shoppers` is the size of the returning population.
event::Message kioskShapedMessage(const event::KioskEventFactory& factory, std::mt19937_64& rng, std::int64_t i,
                                  std::int64_t shoppers);

}  // namespace touchpoint::bench
