#pragma once
// Sends a scenario to a hub the way its devices would: each kiosk (and the web and app SDKs) posts its own
// batches to /v1/batch over verified HTTPS with keep-alive and gzip, with sentAt from its own clock, and
// reads one receipt per message.

#include <cstdint>
#include <map>
#include <string>

#include "common/result.hpp"
#include "hub/datagen/scenario.hpp"

namespace touchpoint::hub::datagen {

struct SendOptions {
    std::string hubUrl;    ///< https://host:port
    std::string token;     ///< token for any sender without its own in senderTokens
    std::string caFile;    ///< PEM file the hub's certificate is checked against
    std::size_t maxBatchMessages = 250;
    std::size_t maxBatchBytes = 400 * 1024;  ///< under the hub's 500 KB limit
    /// Each simulated device's own token: kiosk id -> its kiosk token (bound to that store and kiosk), "web" /
    /// "app" -> a write key of that kind. The hub refuses a kiosk token speaking for another kiosk.
    std::map<std::string, std::string> senderTokens;
};

struct SendReport {
    std::int64_t batches = 0;
    std::int64_t messages = 0;
    std::int64_t accepted = 0;
    std::int64_t duplicate = 0;
    std::int64_t rejected = 0;
    std::map<std::string, std::int64_t> rejectReasons;
    double seconds = 0;
};

/// Sends every message. Fails on a transport error, a non-200 answer that retrying did not fix, or a receipt
/// list that does not match the batch (the same checks a kiosk makes).
Result<SendReport, std::string> sendScenario(const Scenario& scenario, const SendOptions& options);

/// Reads `--tokens FILE`: one "SENDER TOKEN" per line (SENDER a kiosk id, web or app); # starts a comment.
Result<std::map<std::string, std::string>, std::string> readSenderTokens(const std::string& file);

}  // namespace touchpoint::hub::datagen
