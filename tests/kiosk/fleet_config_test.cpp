// Head office's document on the kiosk, end to end over a real HTTPS receiver: the uploader's connection asks
// GET /v1/kiosk/config, a good document is kept as fleet-config.json beside the outbox and offered to the UI,
// 304 keeps it, a broken one or one with a glyph the kiosk's fonts lack is refused while the last good one
// stays (and the refusal goes into the heartbeat), a heartbeat asked for once a document is applied reports
// it without waiting for the interval, a restart serves the last-good file, and a kiosk that never reached a
// hub runs on its built-in assets.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/fleet_config_poller.hpp"
#include "app/ttf_glyph_coverage.hpp"
#include "app/uploader_sync.hpp"
#include "common/tls_cert.hpp"
#include "kiosk_fakes.hpp"
#include "outbox/outbox.hpp"
#include "protocol/hub_receiver.hpp"
#include "temp_dir.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using touchpoint::testing::TempDir;

std::filesystem::path assets() {
    return touchpoint::testing::sourceAssetsDir();
}

Translations builtInTexts() {
    return Translations::loadKiosk(assets() / "i18n", {"en", "es"}).value();
}

/// The hub's answer: the built-in survey renamed, an English text for each of its keys (`question` for the
/// NPS one), English only, plus "configVersion".
std::string answer(int configVersion, const std::string& question = "How likely are you to recommend us?") {
    std::ifstream in(assets() / "surveys" / "store-visit.json");
    std::stringstream ss;
    ss << in.rdbuf();
    json survey = json::parse(ss.str());
    survey["id"] = "hq-survey";
    survey["version"] = configVersion + 100;
    const auto parsed = content::Survey::fromJson(survey, "survey");
    EXPECT_TRUE(parsed.ok());
    json texts;
    for (const auto& key : parsed->translationKeys()) texts["en"][key] = "Head office: " + key;
    texts["en"]["survey.q.nps"] = question;
    return json{{"format", 1},
                {"configVersion", configVersion},
                {"survey", survey},
                {"texts", texts},
                {"settings", {{"languages", {"en"}}, {"defaultLanguage", "en"}, {"inactivityS", 60}}}}
        .dump();
}

std::string etagOf(int configVersion) {
    return "\"cfg-" + std::to_string(configVersion) + "\"";
}

class FleetConfigVerifyTest : public ::testing::Test {
  protected:
    FleetConfigVerifyTest()
        : fonts(app::TtfGlyphCoverage::load(app::kioskFontFiles(assets() / "fonts")).value()) {}

    std::string refusal(std::string_view body) {
        auto r = verifyFleetDocument(body, texts, *fonts);
        EXPECT_FALSE(r.ok());
        return r.ok() ? std::string() : r.error();
    }

    Translations texts = builtInTexts();
    std::unique_ptr<app::TtfGlyphCoverage> fonts;
};

TEST_F(FleetConfigVerifyTest, AGoodDocumentIsLayeredOverTheBuiltInTables) {
    auto r = verifyFleetDocument(answer(3), texts, *fonts);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->configVersion, 3);
    EXPECT_EQ(r->etag, etagOf(3));
    EXPECT_EQ(r->survey.id, "hq-survey");
    EXPECT_EQ(r->survey.version, 103);
    EXPECT_EQ(r->texts.text("en", "survey.q.nps"), "How likely are you to recommend us?");
    // Texts the document does not bring stay the built-in ones, in every language the kiosk has.
    EXPECT_EQ(r->texts.text("en", "common.done"), texts.text("en", "common.done"));
    EXPECT_EQ(r->texts.text("es", "survey.q.nps"), texts.text("es", "survey.q.nps"));
}

TEST_F(FleetConfigVerifyTest, BrokenDocumentsAreRefusedWithOneLineEach) {
    EXPECT_EQ(refusal("{\"format\":"), "cfg-?: not a JSON object");
    EXPECT_EQ(refusal("[]"), "cfg-?: not a JSON object");
    json noVersion = json::parse(answer(3));
    noVersion.erase("configVersion");
    EXPECT_EQ(refusal(noVersion.dump()), "cfg-?: configVersion: missing or not a positive integer");

    json missingText = json::parse(answer(5));
    missingText["texts"]["en"].erase("survey.q.csat");
    const auto why = refusal(missingText.dump());
    EXPECT_EQ(why.rfind("cfg-5: texts.en", 0), 0u) << why;
    EXPECT_NE(why.find("survey.q.csat"), std::string::npos) << why;

    json spanish = json::parse(answer(6));
    spanish["settings"]["languages"] = {"en", "fr"};
    spanish["texts"]["fr"] = spanish["texts"]["en"];
    EXPECT_NE(refusal(spanish.dump()).find("\"fr\" has no built-in tables on this kiosk"), std::string::npos);

    // Hostile shapes: nesting that would exhaust the parser's stack, and a body over the cap.
    EXPECT_EQ(refusal(std::string(100000, '[') + std::string(100000, ']')),
              "cfg-?: the document nests deeper than 32");
    EXPECT_NE(refusal(std::string(content::kMaxDocumentBytes + 1000, ' ')).find("more than 262144"),
              std::string::npos);
}

TEST_F(FleetConfigVerifyTest, AGlyphTheKioskFontsLackRefusesTheDocument) {
    EXPECT_TRUE(fonts->covers(U'é'));
    EXPECT_TRUE(fonts->covers(U'—'));
    EXPECT_FALSE(fonts->covers(U'中'));
    EXPECT_EQ(refusal(answer(12, "您会向朋友推荐我们吗?")),
              "cfg-12: glyph U+60A8 missing from the kiosk fonts (texts.en.survey.q.nps)");
    const auto longWhy = refusalLine(12, std::string(600, 'x') + "é");
    EXPECT_LE(longWhy.size(), kMaxRefusalBytes);
}

class FleetConfigPollTest : public ::testing::Test {
  protected:
    void SetUp() override {
        tls::CertificateRequest caReq;
        caReq.commonName = "Touchpoint Test CA";
        caReq.dnsNames.clear();
        caReq.ipAddresses.clear();
        caReq.isCa = true;
        auto ca = tls::makeCertificate(caReq);
        ASSERT_TRUE(ca.ok()) << ca.error();
        auto server = tls::makeCertificate({}, ca.value());
        ASSERT_TRUE(server.ok()) << server.error();
        caFile = (dir / "ca.pem").string();
        ASSERT_TRUE(tls::writeFileAtomically(caFile, ca->certificate, 0644).ok());
        protocol::HubReceiverOptions o;
        o.serverCertificate = server.value();
        o.token = "kiosk-token";
        auto r = protocol::HubReceiver::start(o);
        ASSERT_TRUE(r.ok()) << r.error();
        hub = std::move(r.value());
        outboxPath = dir / "outbox.db";
    }

    void TearDown() override {
        uploader.reset();
        if (hub) hub->stop();
    }

    std::unique_ptr<app::FleetConfigPoller> makePoller(FleetContentSlot& s) {
        return std::make_unique<app::FleetConfigPoller>(lastGoodFile(), assets(),
                                                        std::vector<std::string>{"en", "es"}, s);
    }

    std::filesystem::path lastGoodFile() const { return dir / app::kFleetConfigFileName; }

    void startUploader(std::string url, uploader::Millis heartbeat = 0ms) {
        uploader::UploaderOptions o;
        o.http.baseUrl = std::move(url);
        o.http.caFile = caFile;
        o.http.connectTimeout = 2s;
        o.http.totalTimeout = 10s;
        o.token = "kiosk-token";
        o.outboxPath = outboxPath;
        o.idlePoll = 50ms;
        o.backoffBase = 50ms;
        o.backoffCap = 200ms;
        o.recoveryDelayMax = 0ms;
        o.heartbeatInterval = heartbeat;
        if (heartbeat.count() > 0) o.heartbeatFactory = &factory;
        o.heartbeatExtras = [p = poller.get()](json& health) { p->addHeartbeatProperties(health); };
        o.periodicGet = poller->periodicGet(1h);  // the test asks for each further poll itself
        auto u = uploader::Uploader::create(std::move(o));
        ASSERT_TRUE(u.ok()) << u.error();
        uploader = std::move(u.value());
        uploader->start();
    }

    bool waitConfigRequests(std::int64_t n) {
        return hub->waitUntil([n](const protocol::HubReceiverStats& s) { return s.configRequests >= n; },
                              30s);
    }

    /// The receiver counts a request before the kiosk has handled its answer: wait for the slot too.
    template <class Pred>
    bool waitFor(Pred pred) {
        for (int i = 0; i < 3000; ++i) {
            if (pred()) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    std::optional<StoredFleetConfig> stored() const {
        auto r = FleetConfigFile(lastGoodFile()).load();
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
        return r.ok() ? *r : std::nullopt;
    }

    TempDir dir;
    std::string caFile;
    std::filesystem::path outboxPath;
    testing::Keys keys;
    event::KioskEventFactory factory = keys.factory(SystemClock::instance());
    std::unique_ptr<protocol::HubReceiver> hub;
    FleetContentSlot slot;
    std::unique_ptr<app::FleetConfigPoller> poller = makePoller(slot);
    std::unique_ptr<uploader::Uploader> uploader;
};

TEST_F(FleetConfigPollTest, ANewDocumentIsKeptAsLastGoodAndA304KeepsIt) {
    hub->setKioskConfig(answer(3), etagOf(3));
    startUploader(hub->url());
    ASSERT_TRUE(waitConfigRequests(1));
    ASSERT_TRUE(waitFor([&] { return slot.hasPending(); }));
    EXPECT_EQ(hub->stats().lastIfNoneMatch, "") << "a kiosk with no document asks without If-None-Match";
    const auto file = stored();
    ASSERT_TRUE(file);
    EXPECT_EQ(file->etag, etagOf(3));
    EXPECT_EQ(file->body, answer(3));
    EXPECT_EQ(slot.etag(), etagOf(3));
    EXPECT_EQ(slot.refusal(), "");

    // Staff "sync now" asks again at once: unchanged, so 304, and nothing moves.
    app::UploaderSyncControl staffSync(uploader.get(), SystemClock::instance());
    staffSync.syncNow();
    ASSERT_TRUE(waitConfigRequests(2));
    EXPECT_EQ(hub->stats().lastIfNoneMatch, etagOf(3));
    EXPECT_EQ(hub->stats().configNotModified, 1);
    auto taken = slot.take();
    ASSERT_NE(taken, nullptr);
    EXPECT_EQ(taken->configVersion, 3);
    EXPECT_EQ(taken->texts.text("en", "survey.q.nps"), "How likely are you to recommend us?");
    EXPECT_EQ(stored()->etag, etagOf(3));
}

TEST_F(FleetConfigPollTest, ABrokenDocumentIsRefusedTheLastGoodStaysAndTheHeartbeatSaysSo) {
    hub->setKioskConfig(answer(3), etagOf(3));
    startUploader(hub->url(), 300ms);
    ASSERT_TRUE(waitFor([&] { return slot.hasPending(); }));
    slot.noteApplied(slot.take()->configVersion);  // what the UI thread does between sessions

    json broken = json::parse(answer(4));
    broken["settings"]["inactivityS"] = 5;  // below the 15 s floor
    hub->setKioskConfig(broken.dump(), etagOf(4));
    uploader->requestPeriodicGet();
    ASSERT_TRUE(waitFor([&] { return !slot.refusal().empty(); }));
    EXPECT_EQ(slot.refusal().rfind("cfg-4: settings.inactivityS", 0), 0u) << slot.refusal();
    EXPECT_FALSE(slot.hasPending());
    EXPECT_EQ(slot.etag(), etagOf(3)) << "the next poll still names the last good document";
    EXPECT_EQ(stored()->etag, etagOf(3));
    EXPECT_EQ(stored()->body, answer(3));
    // Staff see it on the sync health page.
    const auto staffView =
        app::UploaderSyncControl(uploader.get(), SystemClock::instance(), &slot).snapshot();
    EXPECT_EQ(staffView.configVersion, 3);
    EXPECT_EQ(staffView.configRefusal, slot.refusal());

    // The heartbeat carries the applied version and the refusal.
    ASSERT_TRUE(hub->waitUntil(
        [](const protocol::HubReceiverStats& s) {
            return s.lastBatch.find("\"configRefusal\":\"cfg-4:") != std::string::npos;
        },
        30s));
    const json batch = json::parse(hub->stats().lastBatch);
    bool seen = false;
    for (const auto& m : batch["batch"]) {
        if (m.value("event", "") != "Kiosk Heartbeat") continue;
        seen = true;
        EXPECT_EQ(m["properties"]["configVersion"], 3);
        EXPECT_EQ(m["properties"]["configRefusal"].get<std::string>().rfind("cfg-4: settings.inactivityS", 0),
                  0u);
    }
    EXPECT_TRUE(seen);

    // While the hub keeps assigning the refused document, the kiosk names it too: 304, not the whole
    // document again at every poll, and the refusal stands.
    const auto notModified = hub->stats().configNotModified;
    const auto requests = hub->stats().configRequests;
    uploader->requestPeriodicGet();
    ASSERT_TRUE(waitConfigRequests(requests + 1));
    EXPECT_EQ(hub->stats().lastIfNoneMatch, etagOf(3) + ", " + etagOf(4));
    EXPECT_EQ(hub->stats().configNotModified, notModified + 1);
    EXPECT_EQ(slot.refusal().rfind("cfg-4: settings.inactivityS", 0), 0u) << slot.refusal();
    EXPECT_FALSE(slot.hasPending());

    // Head office fixes it: the refusal clears with the next good document.
    hub->setKioskConfig(answer(5), etagOf(5));
    uploader->requestPeriodicGet();
    ASSERT_TRUE(waitFor([&] { return slot.hasPending(); }));
    EXPECT_EQ(slot.refusal(), "");
    EXPECT_EQ(stored()->etag, etagOf(5));
}

TEST_F(FleetConfigPollTest, AnAppliedDocumentIsReportedByAHeartbeatAtOnce) {
    hub->setKioskConfig(answer(3), etagOf(3));
    startUploader(hub->url(), 1h);  // no heartbeat is due for an hour
    ASSERT_TRUE(waitFor([&] { return slot.hasPending(); }));
    slot.noteApplied(slot.take()->configVersion);
    // What the kiosk app does once the controller applied it: head office hears of it now.
    uploader->requestHeartbeat();
    ASSERT_TRUE(hub->waitUntil(
        [](const protocol::HubReceiverStats& s) {
            return s.lastBatch.find("Kiosk Heartbeat") != std::string::npos;
        },
        10s));
    const json batch = json::parse(hub->stats().lastBatch);
    ASSERT_EQ(batch["batch"].size(), 1u) << batch.dump();
    EXPECT_EQ(batch["batch"][0]["properties"]["configVersion"], 3);
    EXPECT_EQ(batch["batch"][0]["properties"]["configRefusal"], "");
}

TEST_F(FleetConfigPollTest, AMissingGlyphIsRefusedLikeABrokenDocument) {
    hub->setKioskConfig(answer(7, "我们做得怎么样?"), etagOf(7));
    startUploader(hub->url());
    ASSERT_TRUE(waitFor([&] { return !slot.refusal().empty(); }));
    EXPECT_EQ(slot.refusal(), "cfg-7: glyph U+6211 missing from the kiosk fonts (texts.en.survey.q.nps)");
    EXPECT_FALSE(slot.hasPending());
    EXPECT_FALSE(std::filesystem::exists(lastGoodFile()));
}

TEST_F(FleetConfigPollTest, ARestartServesTheLastGoodDocumentAndNothingAssignedKeepsIt) {
    hub->setKioskConfig(answer(3), etagOf(3));
    startUploader(hub->url());
    ASSERT_TRUE(waitFor([&] { return slot.hasPending(); }));
    uploader.reset();

    // Restart, offline: the file alone.
    FleetContentSlot restarted;
    auto again = makePoller(restarted);
    auto content = again->loadLastGood(builtInTexts());
    ASSERT_NE(content, nullptr);
    EXPECT_EQ(content->configVersion, 3);
    EXPECT_EQ(content->survey.id, "hq-survey");
    EXPECT_EQ(restarted.appliedVersion(), 3);
    EXPECT_EQ(restarted.etag(), etagOf(3));
    json health = json::object();
    again->addHeartbeatProperties(health);
    EXPECT_EQ(health["configVersion"], 3);
    EXPECT_EQ(health["configRefusal"], "");

    // The hub answers 404 no_config (nothing assigned any more), then fails: the kiosk keeps what it has.
    again->handle(uploader::HttpResult(uploader::HttpResponse{404, {}, "{\"error\":\"no_config\"}", 0}));
    again->handle(uploader::HttpResult(uploader::HttpResponse{503, {}, "{\"error\":\"busy\"}", 0}));
    again->handle(
        uploader::HttpResult(Fail(uploader::TransportError{uploader::TransportErrc::ConnectFailed, "down"})));
    EXPECT_FALSE(restarted.hasPending());
    EXPECT_EQ(restarted.refusal(), "");
    EXPECT_EQ(stored()->etag, etagOf(3));
}

TEST_F(FleetConfigPollTest, AKioskThatNeverReachedAHubUsesItsBuiltInAssets) {
    const std::string deadUrl = hub->url();
    hub->stop();
    hub.reset();
    EXPECT_EQ(poller->loadLastGood(builtInTexts()), nullptr);
    // What the uploader's thread hands over when the hub cannot be reached: a real failed request.
    uploader::HttpsClientOptions http;
    http.baseUrl = deadUrl;
    http.caFile = caFile;
    http.connectTimeout = 2s;
    uploader::HttpsClient client(http);
    const auto result = client.get(app::kKioskConfigPath, {}, "kiosk-token", 5s, 1024);
    ASSERT_FALSE(result.ok());
    poller->handle(result);
    EXPECT_FALSE(slot.hasPending());
    EXPECT_EQ(slot.appliedVersion(), 0);
    EXPECT_EQ(slot.refusal(), "");
    EXPECT_FALSE(std::filesystem::exists(lastGoodFile()));
    json health = json::object();
    poller->addHeartbeatProperties(health);
    EXPECT_EQ(health["configVersion"], 0);

    // A damaged last-good file is not used either.
    std::ofstream(lastGoodFile()) << "{\"etag\": 3";
    FleetContentSlot fresh;
    EXPECT_EQ(makePoller(fresh)->loadLastGood(builtInTexts()), nullptr);
    EXPECT_EQ(fresh.appliedVersion(), 0);
}

}  // namespace
}  // namespace touchpoint::kiosk
