#pragma once
// GET /v1/profiles/welcome on a worker thread with the shared HttpsClient and a short timeout. Only the
// newest request matters (one shopper at a time): a request that arrives while another is waiting replaces
// it. The UI thread never waits on it.

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/profile.hpp"
#include "uploader/https_client.hpp"

namespace touchpoint::kiosk::app {

class HubProfileClient final : public ProfileClient {
public:
    HubProfileClient(uploader::HttpsClientOptions http, std::string token, std::chrono::milliseconds timeout);
    ~HubProfileClient() override;  ///< aborts a request in flight and joins the worker
    HubProfileClient(const HubProfileClient&) = delete;
    HubProfileClient& operator=(const HubProfileClient&) = delete;

    void requestWelcome(const event::Identity& identity, Done done) override;

private:
    struct Request {
        event::Identity identity;
        Done done;
    };
    void run();
    Result<WelcomeInfo, std::string> fetch(uploader::HttpsClient& client, const event::Identity& identity);

    uploader::HttpsClientOptions m_http;
    std::string m_token;
    std::chrono::milliseconds m_timeout;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::optional<Request> m_pending;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace touchpoint::kiosk::app
