#pragma once
// A kiosk's sign-ins sent to a real hub over HTTPS, for the key rotation tests (keys_cli_test.cpp on SQLite,
// keys_rotate_pg_test.cpp on PostgreSQL): phones sealed as the kiosk seals them, 100 phones in turn, and every
// message id a receipt acknowledged remembered.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/message.hpp"

namespace touchpoint::hub::testing {

/// Sends kiosk sign-ins (phones sealed as the kiosk seals them) in batches; remembers every message id a
/// receipt acknowledged (accepted or duplicate). A failed batch is sent again, as an uploader would.
class SigninSender {
public:
    /// To the hub on loopback `port` (its certificate `caFile`) as the kiosk k1 of store-1 holding `token`.
    SigninSender(const std::filesystem::path& caFile, const std::string& token, const std::string& sealingKeyB64,
                 const std::string& hashKeyB64, int port)
        : m_client("127.0.0.1", port) {
        m_client.set_ca_cert_path(caFile.c_str());
        m_client.enable_server_certificate_verification(true);
        m_client.set_bearer_token_auth(token.c_str());
        m_client.set_read_timeout(30, 0);
        auto sealer = event::Sealer::fromPublicKeyB64(sealingKeyB64);
        auto hasher = event::IdentityHasher::fromKeyB64(hashKeyB64);
        EXPECT_TRUE(sealer.ok() && hasher.ok());
        m_factory = std::make_unique<event::KioskEventFactory>(
            event::DeviceIdentity{"store-1", "k1", "America/New_York", "0.1.0", "boot-1"}, *sealer, *hasher,
            touchpoint::SystemClock::instance());
    }

    /// One batch of `n` sign-ins; false when it was not acknowledged after a few tries.
    bool sendBatch(int n) {
        nlohmann::json batch = nlohmann::json::array();
        for (int i = 0; i < n; ++i, ++m_count) {
            char phone[16];
            std::snprintf(phone, sizeof phone, "+120255501%02d", m_count % 100);
            auto m = m_factory->signin("s" + std::to_string(m_count), "en-US", event::SigninMethod::Phone,
                                       {event::Identity::Type::Phone, phone}, m_count < 100);
            batch.push_back(event::toJson(m));
        }
        const std::string body = nlohmann::json{{"batch", batch}}.dump();
        for (int attempt = 0; attempt < 5; ++attempt) {
            auto r = m_client.Post("/v1/batch", body, "application/json");
            if (!r || r->status != 200) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                continue;
            }
            const auto receipts = nlohmann::json::parse(r->body, nullptr, false);
            if (!receipts.contains("receipts")) return false;
            for (const auto& receipt : receipts["receipts"]) {
                const auto status = receipt.value("status", "");
                if (status == "accepted" || status == "duplicate") m_acknowledged.insert(receipt.value("messageId", ""));
                else ++m_rejected;
            }
            return true;
        }
        return false;
    }

    const std::set<std::string>& acknowledged() const { return m_acknowledged; }
    int rejected() const { return m_rejected; }

private:
    httplib::SSLClient m_client;
    std::unique_ptr<event::KioskEventFactory> m_factory;
    std::set<std::string> m_acknowledged;
    int m_count = 0;
    int m_rejected = 0;
};

}  // namespace touchpoint::hub::testing
