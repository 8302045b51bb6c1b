#include "welcome_client.hpp"

#include "common/log.hpp"
#include "core/wipe.hpp"

namespace touchpoint::kiosk::app {

HubProfileClient::HubProfileClient(uploader::HttpsClientOptions http, std::string token,
                                   std::chrono::milliseconds timeout)
    : m_http(std::move(http)), m_token(std::move(token)), m_timeout(timeout), m_thread([this] { run(); }) {}

HubProfileClient::~HubProfileClient() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
    if (m_pending) wipeString(m_pending->identity.value);
    wipeString(m_token);
}

void HubProfileClient::requestWelcome(const event::Identity& identity, Done done) {
    {
        std::lock_guard lock(m_mutex);
        if (m_pending) {
            // Superseded: the controller ignores answers for an older request anyway; say so at once.
            m_pending->done(Fail(std::string("superseded")));
            wipeString(m_pending->identity.value);
        }
        m_pending = Request{identity, std::move(done)};
    }
    m_cv.notify_one();
}

void HubProfileClient::run() {
    std::unique_ptr<uploader::HttpsClient> client;
    std::string setupError;
    try {
        client = std::make_unique<uploader::HttpsClient>(m_http);
        client->setAbortFlag(&m_stop);
    } catch (const std::exception& e) {
        // Bad URL or no curl handle: every request answers "offline" with the reason, the kiosk goes on.
        setupError = e.what();
        log::error("welcome", "cannot create the HTTPS client", {{"error", setupError}});
    }
    while (true) {
        Request request;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || m_pending.has_value(); });
            if (m_stop) return;
            request = std::move(*m_pending);
            m_pending.reset();
        }
        auto result = client ? fetch(*client, request.identity) : Result<WelcomeInfo, std::string>(Fail(setupError));
        wipeString(request.identity.value);
        try {
            request.done(std::move(result));
        } catch (const std::exception& e) {
            log::error("welcome", "callback failed", {{"error", e.what()}});
        }
    }
}

Result<WelcomeInfo, std::string> HubProfileClient::fetch(uploader::HttpsClient& client,
                                                         const event::Identity& identity) {
    std::string path = "/v1/profiles/welcome?";
    path += event::toString(identity.type);
    path += '=';
    path += client.escape(identity.value);
    auto response = client.get(path, m_token, m_timeout);
    wipeString(path);
    if (!response) {
        return Fail(std::string(uploader::toString(response.error().kind)));
    }
    if (response->status != 200) return Fail("http " + std::to_string(response->status));
    return parseWelcome(response->body);
}

}  // namespace touchpoint::kiosk::app
