#include "hub/datagen/sender.hpp"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/clock.hpp"

namespace touchpoint::hub::datagen {

using nlohmann::json;

namespace {

struct Endpoint {
    std::string host;
    int port = 443;
};

Result<Endpoint, std::string> parseUrl(const std::string& url) {
    constexpr std::string_view kScheme = "https://";
    if (url.rfind(kScheme, 0) != 0) return Fail(std::string("--hub: must start with https://"));
    std::string rest = url.substr(kScheme.size());
    if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
    Endpoint e;
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
        e.host = rest;
    } else {
        e.host = rest.substr(0, colon);
        try {
            e.port = std::stoi(rest.substr(colon + 1));
        } catch (const std::exception&) {
            return Fail("--hub: bad port in " + url);
        }
    }
    if (e.host.empty() || e.port <= 0 || e.port > 65535) return Fail("--hub: bad address " + url);
    return e;
}

class BatchPoster {
public:
    BatchPoster(const Endpoint& e, const SendOptions& o) : m_client(e.host, e.port), m_options(o) {
        m_client.set_ca_cert_path(o.caFile.c_str());
        m_client.enable_server_certificate_verification(true);
        m_client.set_keep_alive(true);
        m_client.set_compress(true);
        m_client.set_connection_timeout(10, 0);
        m_client.set_read_timeout(60, 0);
        m_client.set_write_timeout(60, 0);
    }

    Result<void, std::string> post(const std::vector<const Outgoing*>& batch, SendReport& report) {
        const auto own = m_options.senderTokens.find(batch.front()->sender);
        const std::string& token = own != m_options.senderTokens.end() ? own->second : m_options.token;
        const httplib::Headers headers{{"Authorization", "Bearer " + token}};
        for (int attempt = 0;; ++attempt) {
            json body{{"batch", json::array()}};
            for (const Outgoing* o : batch) body["batch"].push_back(o->message);
            // sentAt on the sender's own clock, skew included: the hub corrects capture times with it.
            body["sentAt"] = formatIsoUtcMs(SystemClock::instance().utcMs() + batch.front()->clockSkewMs);
            auto res = m_client.Post("/v1/batch", headers, body.dump(), "application/json");
            if (!res) {
                if (attempt < 5) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
                    continue;
                }
                return Fail("POST /v1/batch: " + httplib::to_string(res.error()));
            }
            if ((res->status == 429 || res->status == 503) && attempt < 8) {
                int wait = 1;
                try {
                    wait = std::clamp(std::stoi(res->get_header_value("Retry-After")), 1, 30);
                } catch (const std::exception&) {
                }
                std::this_thread::sleep_for(std::chrono::seconds(wait));
                continue;
            }
            if (res->status != 200)
                return Fail("POST /v1/batch: HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 300));
            json answer = json::parse(res->body, nullptr, false);
            if (!answer.is_object() || !answer.contains("receipts") || !answer["receipts"].is_array() ||
                answer["receipts"].size() != batch.size())
                return Fail("POST /v1/batch: 200 without one receipt per message");
            for (std::size_t i = 0; i < batch.size(); ++i) {
                const json& r = answer["receipts"][i];
                if (!r.is_object() || r.value("messageId", "") != batch[i]->message.value("messageId", ""))
                    return Fail("POST /v1/batch: receipts out of order or for unknown messages");
                const std::string status = r.value("status", "");
                if (status == "accepted") {
                    ++report.accepted;
                } else if (status == "duplicate") {
                    ++report.duplicate;
                } else {
                    ++report.rejected;
                    ++report.rejectReasons[r.value("reason", "no reason given")];
                }
            }
            ++report.batches;
            report.messages += static_cast<std::int64_t>(batch.size());
            return {};
        }
    }

private:
    httplib::SSLClient m_client;
    const SendOptions& m_options;
};

}  // namespace

Result<SendReport, std::string> sendScenario(const Scenario& scenario, const SendOptions& options) {
    auto endpoint = parseUrl(options.hubUrl);
    if (!endpoint) return Fail(endpoint.error());
    BatchPoster poster(*endpoint, options);
    SendReport report;
    const auto started = std::chrono::steady_clock::now();

    struct Pending {
        std::vector<const Outgoing*> messages;
        std::size_t bytes = 0;
    };
    std::map<std::string, Pending> pending;  // by sender
    for (const Outgoing& o : scenario.messages) {
        Pending& p = pending[o.sender];
        const std::size_t size = o.message.dump().size() + 1;
        if (!p.messages.empty() &&
            (p.messages.size() >= options.maxBatchMessages || p.bytes + size > options.maxBatchBytes)) {
            if (auto r = poster.post(p.messages, report); !r) return Fail(r.error());
            p = Pending{};
        }
        p.messages.push_back(&o);
        p.bytes += size;
    }
    for (auto& [sender, p] : pending)
        if (!p.messages.empty())
            if (auto r = poster.post(p.messages, report); !r) return Fail(r.error());
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

Result<std::map<std::string, std::string>, std::string> readSenderTokens(const std::string& file) {
    std::ifstream in(file);
    if (!in) return Fail("--tokens: cannot read " + file);
    std::map<std::string, std::string> out;
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::istringstream words(line);
        std::string sender, token, extra;
        if (!(words >> sender)) continue;
        if (!(words >> token) || (words >> extra)) {
            return Fail("--tokens: " + file + ":" + std::to_string(lineNo) + ": expected SENDER TOKEN");
        }
        out[sender] = token;
    }
    return out;
}

}  // namespace touchpoint::hub::datagen
