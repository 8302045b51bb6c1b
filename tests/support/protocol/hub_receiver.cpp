#include "protocol/hub_receiver.hpp"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_set>

#include "protocol/gzip.hpp"
#include "protocol/wire.hpp"

namespace touchpoint::protocol {

namespace {

/// Whether an If-None-Match list ("\"a\", \"b\"") names `etag` exactly (no weak forms: the kiosk sends none).
bool namesEtag(const std::string& header, const std::string& etag) {
    std::size_t at = 0;
    while (at <= header.size()) {
        auto end = header.find(',', at);
        if (end == std::string::npos) end = header.size();
        auto item = header.substr(at, end - at);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (item == etag) return true;
        at = end + 1;
    }
    return false;
}

struct BioDeleter {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
    void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct StoreDeleter {
    void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};

std::unique_ptr<BIO, BioDeleter> memBio(const std::string& pem) {
    return std::unique_ptr<BIO, BioDeleter>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

constexpr auto kMaxHang = std::chrono::minutes(10);

/// Reads `{"batch":[{..."messageId":"..."...}, ...]}` with nlohmann's SAX interface and keeps only the
/// messageIds: the receiver needs nothing else, and a DOM of a 500 KB batch costs more than TLS and gzip.
/// Validates the whole document as JSON all the same.
class BatchIdReader final : public nlohmann::json_sax<nlohmann::json> {
public:
    struct Entry {
        std::string id;  ///< empty: missing, not a string, or the element is not an object
    };
    std::vector<Entry> entries;
    bool sawBatch = false;
    bool rootIsObject = false;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool string(string_t& s) override {
        if (m_inBatch && m_depth == 3 && m_expectId) entries.back().id = std::move(s);
        return value();
    }
    bool start_object(std::size_t) override {
        if (m_depth == 0) rootIsObject = true;
        if (m_inBatch && m_depth == 2) entries.emplace_back();
        m_expectId = false;
        ++m_depth;
        return true;
    }
    bool end_object() override {
        --m_depth;
        return true;
    }
    bool key(string_t& k) override {
        if (m_depth == 1) m_rootKey = k;
        if (m_inBatch && m_depth == 3) m_expectId = (k == "messageId");
        return true;
    }
    bool start_array(std::size_t) override {
        if (m_depth == 1 && m_rootKey == "batch" && !sawBatch) {
            sawBatch = true;
            m_inBatch = true;
        } else if (m_inBatch && m_depth == 2) {
            entries.emplace_back();
        }
        m_expectId = false;
        ++m_depth;
        return true;
    }
    bool end_array() override {
        --m_depth;
        if (m_depth == 1) m_inBatch = false;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    bool value() {
        if (m_inBatch && m_depth == 2) entries.emplace_back();  // a batch element that is not an object
        m_expectId = false;
        return true;
    }
    int m_depth = 0;
    bool m_inBatch = false;
    bool m_expectId = false;
    std::string m_rootKey;
};

}  // namespace

struct HubReceiver::Impl {
    HubReceiverOptions options;
    std::unique_ptr<httplib::SSLServer> server;
    std::thread thread;
    int port = 0;

    mutable std::mutex mutex;
    mutable std::condition_variable changed;  // stats changed, or stopping
    bool stopping = false;
    std::deque<Fault> queued;
    Fault defaultFault;
    std::map<std::string, std::string> rejections;
    std::map<std::string, int> poison;
    bool revoked = false;
    std::unordered_set<std::string> seen;
    HubReceiverStats stats;
    std::optional<std::string> configBody;
    std::string configEtag;
    int configStatus = 200;

    void handleConfig(const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mutex);
        if (revoked || req.get_header_value("Authorization") != "Bearer " + options.token) {
            res.status = 401;
            res.set_content(encodeError("unknown token"), "application/json");
            return;
        }
        ++stats.configRequests;
        stats.lastIfNoneMatch = req.get_header_value("If-None-Match");
        if (!configBody) {
            res.status = 404;
            res.set_content("{\"error\":\"no_config\"}", "application/json");
        } else if (configStatus != 200) {
            res.status = configStatus;
            res.set_content(*configBody, "application/json");
        } else if (!configEtag.empty() && namesEtag(stats.lastIfNoneMatch, configEtag)) {
            ++stats.configNotModified;
            res.status = 304;
            res.set_header("ETag", configEtag);
        } else {
            res.status = 200;
            res.set_header("ETag", configEtag);
            res.set_content(*configBody, "application/json");
        }
        changed.notify_all();
    }

    std::int64_t serverNowMs() const {
        const Clock& c = options.clock != nullptr ? *options.clock : SystemClock::instance();
        return c.utcMs() + options.clockOffsetMs;
    }

    /// Hangs the handler thread until the receiver stops (or a long safety limit) or `deadline`.
    bool sleepUnlessStopping(std::chrono::steady_clock::duration d) {
        std::unique_lock lock(mutex);
        return !changed.wait_for(lock, d, [this] { return stopping; });
    }

    void answerError(httplib::Response& res, int status, const std::string& message) {
        res.status = status;
        res.set_content(encodeError(message), "application/json");
    }

    void handleBatch(const httplib::Request& req, httplib::Response& res);
};

void HubReceiver::Impl::handleBatch(const httplib::Request& req, httplib::Response& res) {
    Fault fault;
    {
        std::lock_guard lock(mutex);
        ++stats.requests;
        stats.bodyBytes += static_cast<std::int64_t>(req.body.size());
        if (req.get_header_value("Content-Encoding") == "gzip") ++stats.gzipRequests;
        if (!queued.empty()) {
            fault = queued.front();
            queued.pop_front();
        } else {
            fault = defaultFault;
        }
    }
    changed.notify_all();
    res.set_header("Date", formatHttpDate(serverNowMs()));

    // Faults that sit in front of the hub (a portal, a broken proxy, an overloaded balancer) come first.
    switch (fault.kind) {
    case Fault::Kind::Html200:
        res.status = 200;
        res.set_content("<!DOCTYPE html><html><head><title>Store Wi-Fi</title></head><body><form>Accept the terms"
                        "</form></body></html>",
                        "text/html; charset=utf-8");
        return;
    case Fault::Kind::Status:
        if (!fault.retryAfter.empty()) res.set_header("Retry-After", fault.retryAfter);
        answerError(res, fault.status, fault.error);
        return;
    case Fault::Kind::NeverAnswer:
        sleepUnlessStopping(kMaxHang);
        res.status = 503;
        return;
    default:
        break;
    }

    bool revokedNow = false;
    {
        std::lock_guard lock(mutex);
        revokedNow = revoked;
    }
    const std::string auth = req.get_header_value("Authorization");
    if (revokedNow) return answerError(res, 401, "token revoked");
    if (auth != "Bearer " + options.token) return answerError(res, 401, "unknown token");

    std::string inflated;
    const std::string* body = &req.body;
    // cpp-httplib inflates gzip request bodies itself; inflate here only if one arrives still compressed.
    if (req.body.size() >= 2 && static_cast<unsigned char>(req.body[0]) == 0x1f &&
        static_cast<unsigned char>(req.body[1]) == 0x8b) {
        auto r = gzipDecompress(req.body);
        if (!r) return answerError(res, 400, r.error());
        inflated = std::move(r.value());
        body = &inflated;
    }
    if (body->size() > 500 * 1024) return answerError(res, 413, "batch body over 500 KB");
    BatchIdReader reader;
    if (!nlohmann::json::sax_parse(*body, &reader) || !reader.rootIsObject) {
        return answerError(res, 400, "body is not JSON");
    }
    if (!reader.sawBatch) return answerError(res, 400, "no batch array");

    std::vector<MessageReceipt> receipts;
    receipts.reserve(reader.entries.size());
    {
        std::lock_guard lock(mutex);
        for (const auto& e : reader.entries) {
            const auto p = e.id.empty() ? poison.end() : poison.find(e.id);
            if (p != poison.end()) {
                res.status = p->second;
                res.set_content(encodeError("batch contains a message this hub refuses"), "application/json");
                return;
            }
        }
        for (auto& e : reader.entries) {
            MessageReceipt r;
            if (e.id.empty()) {
                r.status = ReceiptStatus::Rejected;
                r.reason = "messageId: missing";
                ++stats.rejected;
                receipts.push_back(std::move(r));
                continue;
            }
            r.messageId = std::move(e.id);
            const auto rej = rejections.find(r.messageId);
            if (rej != rejections.end()) {
                r.status = ReceiptStatus::Rejected;
                r.reason = rej->second;
                ++stats.rejected;
            } else if (!seen.insert(r.messageId).second) {
                r.status = ReceiptStatus::Duplicate;
                ++stats.duplicates;
            } else {
                r.status = ReceiptStatus::Accepted;
                ++stats.accepted;
                ++stats.acceptCount[r.messageId];
            }
            receipts.push_back(std::move(r));
        }
        ++stats.batchesRecorded;
        stats.lastBatch = *body;
    }
    changed.notify_all();

    auto full = std::make_shared<std::string>(encodeReceipts(receipts, serverNowMs()));
    res.status = 200;
    switch (fault.kind) {
    case Fault::Kind::Truncated:
        res.set_content(full->substr(0, full->size() / 2), "application/json");
        return;
    case Fault::Kind::ResetMidBody:
        res.set_content_provider(full->size(), "application/json",
                                 [full](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                     if (offset == 0) sink.write(full->data(), full->size() / 2);
                                     return false;  // drop the connection half-way through the body
                                 });
        return;
    case Fault::Kind::RecordThenDrop:
        res.set_content_provider(full->size(), "application/json",
                                 [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
        return;
    case Fault::Kind::RecordThenHang:
        sleepUnlessStopping(kMaxHang);
        res.status = 503;
        return;
    case Fault::Kind::SlowTrickle: {
        const auto interval = fault.trickleInterval;
        res.set_content_provider(full->size(), "application/json",
                                 [this, full, interval](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                     if (!sleepUnlessStopping(interval)) return false;
                                     return sink.write(full->data() + offset, 1);
                                 });
        return;
    }
    default:
        res.set_content(*full, "application/json");
        return;
    }
}

HubReceiver::HubReceiver(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HubReceiver::~HubReceiver() { stop(); }

Result<std::unique_ptr<HubReceiver>, std::string> HubReceiver::start(HubReceiverOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);

    auto certBio = memBio(impl->options.serverCertificate.certificate);
    auto keyBio = memBio(impl->options.serverCertificate.privateKey);
    std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    std::unique_ptr<EVP_PKEY, PkeyDeleter> key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (!cert || !key) return Fail(std::string("receiver: cannot read the server certificate or key"));
    std::unique_ptr<X509_STORE, StoreDeleter> store;
    if (impl->options.clientCaPem) {
        auto caBio = memBio(*impl->options.clientCaPem);
        std::unique_ptr<X509, X509Deleter> ca(PEM_read_bio_X509(caBio.get(), nullptr, nullptr, nullptr));
        store.reset(X509_STORE_new());
        if (!ca || !store || X509_STORE_add_cert(store.get(), ca.get()) != 1) {
            return Fail(std::string("receiver: cannot read the client CA"));
        }
    }
    // The server context takes its own references to cert and key and takes over the store.
    impl->server = std::make_unique<httplib::SSLServer>(cert.get(), key.get(), store.release());
    if (!impl->server->is_valid()) return Fail(std::string("receiver: TLS context rejected the certificate"));

    auto& s = *impl->server;
    const std::size_t threads = static_cast<std::size_t>(std::max(2, impl->options.threads));
    s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    s.set_tcp_nodelay(true);  // without it every keep-alive answer waits ~40 ms for the client's delayed ACK
    s.set_keep_alive_max_count(1'000'000);
    s.set_keep_alive_timeout(5);  // stop() waits this long for an idle keep-alive client
    s.set_read_timeout(30);
    s.set_write_timeout(30);
    s.set_payload_max_length(8 * 1024 * 1024);
    Impl* raw = impl.get();
    s.Post(std::string(kBatchPath), [raw](const httplib::Request& req, httplib::Response& res) { raw->handleBatch(req, res); });
    s.Get("/v1/kiosk/config", [raw](const httplib::Request& req, httplib::Response& res) { raw->handleConfig(req, res); });
    s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("{\"ok\":true}", "application/json"); });

    if (impl->options.port == 0) {
        impl->port = s.bind_to_any_port("127.0.0.1");
        if (impl->port <= 0) return Fail(std::string("receiver: cannot bind 127.0.0.1"));
    } else {
        if (!s.bind_to_port("127.0.0.1", impl->options.port)) {
            return Fail("receiver: cannot bind 127.0.0.1:" + std::to_string(impl->options.port));
        }
        impl->port = impl->options.port;
    }
    impl->thread = std::thread([raw] { raw->server->listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(): poll is_running().
    for (int i = 0; i < 5000 && !s.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!s.is_running()) {
        s.stop();
        impl->thread.join();
        return Fail(std::string("receiver: server did not start"));
    }
    return std::unique_ptr<HubReceiver>(new HubReceiver(std::move(impl)));
}

int HubReceiver::port() const { return m_impl->port; }

std::string HubReceiver::url() const { return "https://127.0.0.1:" + std::to_string(m_impl->port); }

void HubReceiver::pushFault(const Fault& fault, int times) {
    std::lock_guard lock(m_impl->mutex);
    for (int i = 0; i < times; ++i) m_impl->queued.push_back(fault);
}

void HubReceiver::setDefaultFault(const Fault& fault) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->defaultFault = fault;
}

void HubReceiver::rejectMessage(const std::string& messageId, const std::string& reason) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->rejections[messageId] = reason;
}

void HubReceiver::poisonMessage(const std::string& messageId, int status) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->poison[messageId] = status;
}

void HubReceiver::setKioskConfig(std::string body, std::string etag, int status) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->configBody = std::move(body);
    m_impl->configEtag = std::move(etag);
    m_impl->configStatus = status;
}

void HubReceiver::revokeToken(bool revoked) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->revoked = revoked;
}

HubReceiverStats HubReceiver::stats() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->stats;
}

bool HubReceiver::waitUntil(const std::function<bool(const HubReceiverStats&)>& pred,
                            std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_impl->mutex);
    return m_impl->changed.wait_for(lock, timeout, [&] { return pred(m_impl->stats); });
}

void HubReceiver::stop() {
    if (!m_impl || !m_impl->server) return;
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->stopping = true;
    }
    m_impl->changed.notify_all();
    m_impl->server->stop();
    if (m_impl->thread.joinable()) m_impl->thread.join();
    m_impl->server.reset();
}

}  // namespace touchpoint::protocol
