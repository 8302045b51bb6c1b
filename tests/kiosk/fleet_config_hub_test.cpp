// Head office's document from a real hub to the kiosk's poller and back: a document published with the hub's
// own route for the kiosk's store reaches the kiosk over the uploader's connection, is checked and offered to
// the UI with the version the hub gave it; the heartbeat reports what the kiosk applied, and /v1/fleet says
// whether the kiosk runs what it should. The kiosk side is the same code the app wires (FleetConfigPoller over
// the uploader); the hub is the whole in-process hub over HTTPS (EphemeralHub).
#include <gtest/gtest.h>

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/fleet_config_poller.hpp"
#include "hub/ephemeral_hub.hpp"
#include "kiosk_fakes.hpp"
#include "temp_dir.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// The built-in survey under head office's id, English and Spanish texts for every key it uses.
json document(const std::string& question) {
    std::ifstream in(touchpoint::testing::sourceAssetsDir() / "surveys" / "store-visit.json");
    std::stringstream ss;
    ss << in.rdbuf();
    json survey = json::parse(ss.str());
    survey["id"] = "hq-visit";
    const auto parsed = content::Survey::fromJson(survey, "survey");
    EXPECT_TRUE(parsed.ok());
    json texts;
    for (const auto& key : parsed->translationKeys()) {
        texts["en"][key] = "HQ " + key;
        texts["es"][key] = "HQ es " + key;
    }
    texts["en"]["survey.q.nps"] = question;
    return {{"format", 1},
            {"survey", survey},
            {"texts", texts},
            {"settings", {{"languages", {"en", "es"}}, {"defaultLanguage", "en"}}}};
}

class FleetConfigFromTheHubTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto h = hub::EphemeralHub::start();
        ASSERT_TRUE(h.ok()) << h.error();
        hub = std::move(h.value());
        kioskToken = hub->kioskToken("store-1", "kiosk-1");
        client = std::make_unique<httplib::SSLClient>("127.0.0.1", hub->port());
        client->set_ca_cert_path(hub->caFile().c_str());
        client->enable_server_certificate_verification(true);
    }

    void TearDown() override {
        uploader.reset();
        if (hub) hub->stop();
    }

    /// Publishes for store-1 through POST /v1/fleet/documents; the hub's answer.
    json publish(const std::string& question) {
        const json body{{"name", "spring"}, {"document", document(question)}, {"assign", {{"scope", "store:store-1"}}}};
        auto res = client->Post("/v1/fleet/documents", {{"Authorization", "Bearer " + hub->headOfficeToken()}},
                                body.dump(), "application/json");
        EXPECT_TRUE(res);
        if (!res) return {};
        EXPECT_EQ(res->status, 201) << res->body;
        return json::parse(res->body, nullptr, false);
    }

    /// This kiosk's /v1/fleet entry (null until its first heartbeat).
    json fleetEntry() {
        auto res = client->Get("/v1/fleet", {{"Authorization", "Bearer " + hub->headOfficeToken()}});
        if (!res || res->status != 200) return nullptr;
        const json fleet = json::parse(res->body, nullptr, false);
        if (!fleet.is_object() || !fleet["kiosks"].is_array()) return nullptr;
        for (const auto& k : fleet["kiosks"]) {
            if (k["store"] == "store-1" && k["kiosk"] == "kiosk-1") return k;
        }
        return nullptr;
    }

    void startUploader() {
        uploader::UploaderOptions o;
        o.http.baseUrl = hub->url();
        o.http.caFile = hub->caFile();
        o.http.connectTimeout = 2s;
        o.http.totalTimeout = 10s;
        o.token = kioskToken;
        o.outboxPath = dir / "outbox.db";
        o.idlePoll = 50ms;
        o.backoffBase = 50ms;
        o.backoffCap = 200ms;
        o.recoveryDelayMax = 0ms;
        o.heartbeatInterval = 200ms;
        o.heartbeatFactory = &factory;
        o.heartbeatExtras = [p = poller.get()](json& health) { p->addHeartbeatProperties(health); };
        o.periodicGet = poller->periodicGet(1h);  // further polls are asked for by the test
        auto u = uploader::Uploader::create(std::move(o));
        ASSERT_TRUE(u.ok()) << u.error();
        uploader = std::move(u.value());
        uploader->start();
    }

    template <class Pred>
    bool waitFor(Pred pred) {
        for (int i = 0; i < 1500; ++i) {
            if (pred()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    touchpoint::testing::TempDir dir;
    std::unique_ptr<hub::EphemeralHub> hub;
    std::string kioskToken;
    std::unique_ptr<httplib::SSLClient> client;
    testing::Keys keys;
    event::KioskEventFactory factory = keys.factory(SystemClock::instance());
    FleetContentSlot slot;
    std::unique_ptr<app::FleetConfigPoller> poller = std::make_unique<app::FleetConfigPoller>(
        dir / app::kFleetConfigFileName, touchpoint::testing::sourceAssetsDir(), std::vector<std::string>{"en", "es"},
        slot);
    std::unique_ptr<uploader::Uploader> uploader;
};

TEST_F(FleetConfigFromTheHubTest, APublishedDocumentReachesTheKioskAndTheFleetPageSeesItApplied) {
    const json first = publish("Would you recommend this store?");
    ASSERT_TRUE(first.contains("configVersion")) << first;
    const int firstVersion = first["configVersion"];
    const int firstSurvey = first["surveyVersion"];

    startUploader();
    ASSERT_TRUE(waitFor([&] { return slot.hasPending(); })) << "refusal: " << slot.refusal();
    auto applied = slot.take();
    ASSERT_NE(applied, nullptr);
    EXPECT_EQ(applied->configVersion, firstVersion);
    EXPECT_EQ(applied->etag, "\"cfg-" + std::to_string(firstVersion) + "\"");
    EXPECT_EQ(applied->survey.id, "hq-visit");
    EXPECT_EQ(applied->survey.version, firstSurvey) << "answers carry the version the hub gave the survey";
    EXPECT_EQ(applied->texts.text("en", "survey.q.nps"), "Would you recommend this store?");
    EXPECT_EQ(applied->texts.text("es", "survey.q.nps"), "HQ es survey.q.nps");
    slot.noteApplied(applied->configVersion);  // what the UI thread does at the attract screen

    ASSERT_TRUE(waitFor([&] {
        const auto k = fleetEntry();
        return k.is_object() && k["configVersion"] == firstVersion;
    })) << fleetEntry().dump();
    auto entry = fleetEntry();
    EXPECT_EQ(entry["expectedConfigVersion"], firstVersion);
    EXPECT_EQ(entry["configBehind"], false);
    EXPECT_EQ(entry["configRefusal"], "");

    // A changed question: a new document and a new survey version; until the kiosk applies it, the fleet page
    // shows the kiosk behind.
    const json second = publish("How likely are you to recommend us to a friend?");
    const int secondVersion = second["configVersion"];
    EXPECT_GT(secondVersion, firstVersion);
    EXPECT_EQ(second["surveyVersion"], firstSurvey + 1);
    uploader->requestPeriodicGet();
    ASSERT_TRUE(waitFor([&] { return slot.hasPending(); })) << "refusal: " << slot.refusal();
    ASSERT_TRUE(waitFor([&] {
        const auto k = fleetEntry();
        return k.is_object() && k["expectedConfigVersion"] == secondVersion && k["configBehind"] == true;
    }));
    const auto next = slot.take();
    ASSERT_NE(next, nullptr);
    EXPECT_EQ(next->configVersion, secondVersion);
    EXPECT_EQ(next->survey.version, firstSurvey + 1);
    slot.noteApplied(next->configVersion);
    ASSERT_TRUE(waitFor([&] {
        const auto k = fleetEntry();
        return k.is_object() && k["configVersion"] == secondVersion && k["configBehind"] == false;
    }));
}

}  // namespace
}  // namespace touchpoint::kiosk
