// Cases over HTTPS on this suite's store (SQLite or PostgreSQL): a detractor's answer and their consent to be
// contacted (either order, re-sent) open one case; notes, status and audit; the contact masked for every role
// until a manager or admin asks with ?reveal=contact (analysts refused); the contact gone after resolve,
// after the retention period and after erasure, which also empties the case's notes and outcome; an outcome
// sealed at rest and never repeated in the audit.

#include "api_test_support.hpp"
#include "hub/store/sql_backend.hpp"

#define CASES_CAT2(a, b) a##b
#define CASES_CAT(a, b) CASES_CAT2(a, b)
#define CASES_SUITE CASES_CAT(HUB_SUITE, Cases)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

const event::Identity kContact{event::Identity::Type::Phone, "+12025550123"};

class CASES_SUITE : public HubApiTest {
  protected:
    struct Pair {
        json feedback, consent;
        std::string feedbackId;
    };

    /// A detractor's answer with a comment, and the consent the kiosk's contact question records about it.
    Pair detractor(const std::string& session, int nps = 3, const std::string& store = "store-1") {
        auto k = kiosk(store, "k1", m_clock);
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = nps;
        a.reasons = {"queue"};
        a.comment = "Rude at the till, mail me at shopper@example.com";
        auto fb = k.feedback(session, "en-US", a, std::nullopt);
        m_clock.advanceMs(20'000);
        event::ConsentRecord notice{"feedback-contact", "1", std::string(64, 'a'), {}};
        auto consent = k.feedbackContactConsent(session, "en-US", kContact, notice, fb.messageId);
        return {wire(fb), wire(consent), fb.messageId};
    }

    json cases(const std::string& token, const std::string& query = "") {
        const auto r = get("/v1/cases" + query, token);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json()["cases"];
    }

    json oneCase(const std::string& id, const std::string& token) {
        const auto r = get("/v1/cases/" + id, token);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json();
    }

    /// The case with its contact shown, as a manager's "Show contact" asks for it.
    json revealed(const std::string& id, const std::string& token) {
        const auto r = get("/v1/cases/" + id + "?reveal=contact", token);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json();
    }

    /// The raw store's connection (SQLite's file or the PostgreSQL database), past the hub.
    std::unique_ptr<SqlConnection> rawStore() {
        const std::string url = hub().storeUrl();
        auto c = url.rfind("sqlite://", 0) == 0 ? openSqlite(url.substr(9)) : openPostgres(url);
        EXPECT_TRUE(c) << (c ? "" : c.error().message);
        return c ? std::move(c).value() : nullptr;
    }

    /// cases.outcome as stored, by case id.
    std::map<std::string, std::string> storedOutcomes() {
        std::map<std::string, std::string> out;
        auto c = rawStore();
        auto rows = c ? c->query("SELECT id, outcome FROM cases") : StoreResult<SqlRows>(Fail(StoreError{}));
        EXPECT_TRUE(rows);
        for (std::size_t i = 0; rows && i < rows->size(); ++i) out[rows->text(i, 0)] = rows->text(i, 1);
        return out;
    }

    /// Every case audit row's detail as stored, one a line.
    std::string auditDetails() {
        std::string out;
        auto c = rawStore();
        auto rows = c ? c->query("SELECT detail FROM case_audit") : StoreResult<SqlRows>(Fail(StoreError{}));
        EXPECT_TRUE(rows);
        for (std::size_t i = 0; rows && i < rows->size(); ++i) out += rows->text(i, 0) + "\n";
        return out;
    }

    /// "action:detail" of each audit row of the case, oldest first (read as `token` sees the case).
    std::vector<std::string> auditOf(const std::string& id, const std::string& token) {
        std::vector<std::string> actions;
        const auto c = oneCase(id, token);  // kept: a range-for over a temporary's member would dangle
        for (const auto& a : c["audit"])
            actions.push_back(a["action"].get<std::string>() + ":" + a["detail"].get<std::string>());
        return actions;
    }
};

TEST_F(CASES_SUITE, ADetractorWhoAgreedOpensOneCaseInEitherOrder) {
    const auto admin = hub().headOfficeToken();
    const auto first = detractor("session-a");
    EXPECT_EQ(send({first.feedback}), std::vector<std::string>{"accepted"});
    EXPECT_TRUE(cases(admin).empty()) << "no consent yet";
    EXPECT_EQ(send({first.consent}), std::vector<std::string>{"accepted"});

    const auto second = detractor("session-b");
    EXPECT_EQ(send({second.consent}), std::vector<std::string>{"accepted"});  // consent first, answer later
    m_clock.advanceMs(2 * kDayMs);
    EXPECT_EQ(send({second.feedback}), std::vector<std::string>{"accepted"});
    // Everything again, as a kiosk that missed its receipts would.
    EXPECT_EQ(send(json{first.feedback, first.consent, second.consent, second.feedback}),
              (std::vector<std::string>{"duplicate", "duplicate", "duplicate", "duplicate"}));

    const auto list = cases(admin);
    ASSERT_EQ(list.size(), 2u) << list.dump();
    std::set<std::string> feedbackIds;
    for (const auto& c : list) {
        feedbackIds.insert(c["feedbackMessageId"].get<std::string>());
        EXPECT_EQ(c["status"], "open");
        EXPECT_EQ(c["store"], "store-1");
        EXPECT_EQ(c["nps"], 3);
        EXPECT_EQ(c["hasContact"], true);
        EXPECT_EQ(c["overdue"], false);
    }
    EXPECT_EQ(feedbackIds, (std::set<std::string>{first.feedbackId, second.feedbackId}));
}

TEST_F(CASES_SUITE, OnlyAKioskTokenMayGiveAContactAndTheStoredEventKeepsNone) {
    const auto p = detractor("session-c");
    auto web = post("/v1/batch", json{{"batch", {p.consent}}}.dump(), hub().token("web"));
    ASSERT_EQ(web.status, 200) << web.body;
    EXPECT_EQ(web.json()["receipts"][0]["status"], "rejected") << web.body;

    json noContact = p.consent;
    noContact.erase("sealed");
    noContact["messageId"] = "consent-without-contact";
    EXPECT_EQ(send({noContact}), std::vector<std::string>{"rejected"});

    EXPECT_EQ(send(json{p.feedback, p.consent}), (std::vector<std::string>{"accepted", "accepted"}));
    const auto events = get("/v1/export/events?format=json", hub().headOfficeToken());
    ASSERT_EQ(events.status, 200) << events.body;
    EXPECT_NE(events.body.find("feedback_contact"), std::string::npos);
    EXPECT_EQ(events.body.find("2025550123"), std::string::npos) << "the contact lives with the case only";
}

TEST_F(CASES_SUITE, NotesStatusAndAuditAndTheContactByRole) {
    const auto p = detractor("session-d");
    ASSERT_EQ(send(json{p.feedback, p.consent}), (std::vector<std::string>{"accepted", "accepted"}));
    const auto admin = hub().headOfficeToken();
    const auto manager = hub().token("head-office:manager");
    const auto analyst = hub().token("head-office:analyst");
    const auto list = cases(admin);
    ASSERT_EQ(list.size(), 1u);
    const std::string id = list[0]["id"];

    const auto seen = oneCase(id, analyst);
    EXPECT_EQ(seen["contact"]["masked"], true);
    EXPECT_EQ(seen["contact"]["value"].get<std::string>().find("5550123"), std::string::npos) << seen.dump();
    EXPECT_EQ(seen["feedback"]["comment"].get<std::string>().find("shopper@example.com"), std::string::npos)
        << "the comment's personal text is masked";
    EXPECT_EQ(seen["feedback"]["reasons"], json({"queue"}));
    ASSERT_TRUE(seen["shopper"].is_object()) << seen.dump();
    EXPECT_TRUE(seen["shopper"]["recentJourney"].is_array());
    EXPECT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", "called"}}.dump(), analyst).status, 403);

    const auto full = revealed(id, manager);
    EXPECT_EQ(full["contact"]["value"], "+12025550123");
    EXPECT_EQ(full["contact"]["kind"], "phone");

    EXPECT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", "Left a voicemail"}}.dump(), manager).status,
              200);
    EXPECT_EQ(post("/v1/cases/" + id + "/status", json{{"status", "resolved"}}.dump(), manager).status, 400)
        << "an outcome is required";
    EXPECT_EQ(post("/v1/cases/" + id + "/status", json{{"status", "in_progress"}, {"assignee", "amy"}}.dump(),
                   manager)
                  .status,
              200);
    EXPECT_EQ(cases(admin, "?status=in_progress").size(), 1u);
    EXPECT_EQ(cases(admin, "?status=open").size(), 0u);
    EXPECT_EQ(get("/v1/cases?status=closed", admin).status, 400);
    EXPECT_EQ(post("/v1/cases/" + id + "/status",
                   json{{"status", "resolved"}, {"outcome", "voucher sent"}}.dump(), admin)
                  .status,
              200);
    EXPECT_EQ(post("/v1/cases/" + id + "/status", json{{"status", "in_progress"}}.dump(), admin).status, 409)
        << "a resolved case is closed";
    EXPECT_EQ(post("/v1/cases/00000000-0000-7000-8000-000000000000/notes", json{{"text", "x"}}.dump(), admin)
                  .status,
              404);

    const auto after = oneCase(id, admin);
    EXPECT_EQ(after["status"], "resolved");
    EXPECT_EQ(after["outcome"], "voucher sent");
    EXPECT_EQ(after["assignee"], "amy");
    EXPECT_TRUE(after["contact"]["value"].is_null()) << "resolving erases the contact: " << after.dump();
    EXPECT_EQ(after["contact"]["erasedReason"], "resolved");
    ASSERT_EQ(after["notes"].size(), 1u);
    EXPECT_EQ(after["notes"][0]["text"], "Left a voicemail");
    std::vector<std::string> actions;
    for (const auto& a : after["audit"])
        actions.push_back(a["action"].get<std::string>() + ":" + a["detail"].get<std::string>());
    // Who saw it (masked or not), the note, each status change and the erasure, in order.
    ASSERT_GE(actions.size(), 7u);
    EXPECT_EQ(actions[0], "viewed:contact masked");
    EXPECT_EQ(actions[1], "viewed:contact shown");
    EXPECT_EQ(actions[2].rfind("note:", 0), 0u);
    EXPECT_EQ(actions[3], "status:open -> in_progress, assignee amy");
    EXPECT_EQ(actions[4], "status:in_progress -> resolved, outcome set");
    EXPECT_EQ(actions[5], "contact_erased:resolved");
    EXPECT_FALSE(after["firstActionAt"].is_null());
}

TEST_F(CASES_SUITE, TheContactIsMaskedForEveryRoleUntilAManagerRevealsIt) {
    const auto p = detractor("session-reveal");
    ASSERT_EQ(send(json{p.feedback, p.consent}), (std::vector<std::string>{"accepted", "accepted"}));
    const auto admin = hub().headOfficeToken();
    const auto manager = hub().token("head-office:manager");
    const auto analyst = hub().token("head-office:analyst");
    const std::string id = cases(admin).at(0)["id"];
    ASSERT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", "Call back on +12025550123 after 5"}}.dump(),
                   manager)
                  .status,
              200);

    // Masked by default, whoever asks: the contact and the phone number in the note.
    for (const auto& token : {admin, manager, analyst}) {
        const auto c = oneCase(id, token);
        EXPECT_EQ(c["contact"]["masked"], true) << c.dump();
        EXPECT_EQ(c["contact"]["value"], "+120******23") << c.dump();
        EXPECT_EQ(c["contact"]["kind"], "phone");
        EXPECT_EQ(c.dump().find("5550123"), std::string::npos) << c.dump();
        EXPECT_NE(c["notes"][0]["text"].get<std::string>().find("[phone]"), std::string::npos) << c.dump();
    }
    EXPECT_EQ(auditOf(id, admin).size(), 5u) << "the note, three masked views and this one";

    // An analyst asking for it is refused, sees no value, and the refusal is not a view: no audit row.
    const auto refused = get("/v1/cases/" + id + "?reveal=contact", analyst);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_NE(refused.body.find("manager or admin"), std::string::npos) << refused.body;
    EXPECT_EQ(refused.body.find("5550123"), std::string::npos) << refused.body;
    // Any other value names the parameter, for every role; neither is audited.
    for (const std::string bad : {"?reveal=", "?reveal=phone", "?reveal=CONTACT", "?reveal=contact,notes",
                                  "?reveal=contact&reveal=contact"}) {
        const auto r = get("/v1/cases/" + id + bad, manager);
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_NE(r.body.find("reveal"), std::string::npos) << r.body;
        EXPECT_EQ(get("/v1/cases/" + id + bad, analyst).status, 400) << bad;
    }
    auto actions = auditOf(id, admin);
    ASSERT_EQ(actions.size(), 6u) << "only the two masked views since";
    for (std::size_t i = 1; i < actions.size(); ++i) EXPECT_EQ(actions[i], "viewed:contact masked") << i;

    // A manager's reveal: the value, the note in full, and the one "contact shown" row, by the manager.
    const auto full = revealed(id, manager);
    EXPECT_EQ(full["contact"]["value"], "+12025550123");
    EXPECT_EQ(full["contact"]["masked"], false);
    EXPECT_EQ(full["notes"][0]["text"], "Call back on +12025550123 after 5");
    EXPECT_EQ(full["feedback"]["comment"].get<std::string>().find("shopper@example.com"), std::string::npos)
        << "the comment stays masked: it is what the shopper typed, not the contact they gave";
    const auto audit = oneCase(id, admin)["audit"];
    ASSERT_EQ(audit.size(), 8u) << audit.dump();
    EXPECT_EQ(audit[6]["action"], "viewed");
    EXPECT_EQ(audit[6]["detail"], "contact shown");
    EXPECT_EQ(audit[6]["by"], audit[0]["by"]) << "the manager, who wrote the note";
    EXPECT_NE(audit[6]["by"], audit[7]["by"]);
    EXPECT_EQ(audit[7]["detail"], "contact masked") << "the admin's own view just now";
    // An admin may reveal too; a case that does not exist is still 404.
    EXPECT_EQ(revealed(id, admin)["contact"]["value"], "+12025550123");
    EXPECT_EQ(get("/v1/cases/00000000-0000-7000-8000-000000000000?reveal=contact", manager).status, 404);
}

TEST_F(CASES_SUITE, NotesStatusBodiesAndListLimitsAreBounded) {
    const auto p = detractor("session-limits");
    ASSERT_EQ(send(json{p.feedback, p.consent}), (std::vector<std::string>{"accepted", "accepted"}));
    const auto manager = hub().token("head-office:manager");
    const auto list = cases(manager);
    ASSERT_EQ(list.size(), 1u);
    const std::string id = list[0]["id"];
    // A note of 4000 bytes is kept whole; one byte more is refused and nothing is added.
    EXPECT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", std::string(4000, 'n')}}.dump(), manager).status, 200);
    const auto tooLong = post("/v1/cases/" + id + "/notes", json{{"text", std::string(4001, 'n')}}.dump(), manager);
    EXPECT_EQ(tooLong.status, 400);
    EXPECT_NE(tooLong.body.find("text"), std::string::npos) << tooLong.body;
    // Bodies past the route's cap are refused before they are read (notes 16 KiB, status 4 KiB).
    EXPECT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", std::string(17 * 1024, 'n')}}.dump(), manager).status,
              413);
    EXPECT_EQ(post("/v1/cases/" + id + "/status",
                   json{{"status", "in_progress"}, {"assignee", std::string(5 * 1024, 'a')}}.dump(), manager)
                  .status,
              413);
    // Nesting as deep as the caps allow, inside a body and as the body: a clear answer, and the hub serves on.
    const std::string deep = std::string(7000, '[') + std::string(7000, ']');
    EXPECT_EQ(post("/v1/cases/" + id + "/notes", "{\"text\":\"x\",\"more\":" + deep + "}", manager).status, 200);
    EXPECT_EQ(post("/v1/cases/" + id + "/notes", deep, manager).status, 400);
    EXPECT_EQ(post("/v1/cases/" + id + "/status", std::string(2000, '[') + std::string(2000, ']'), manager).status,
              400);
    const auto seen = oneCase(id, manager);
    ASSERT_EQ(seen["notes"].size(), 2u) << seen.dump();
    EXPECT_EQ(seen["notes"][0]["text"].get<std::string>().size(), 4000u);
    EXPECT_EQ(seen["notes"][1]["text"], "x");
    EXPECT_EQ(seen["status"], "open");
    for (const char* bad : {"?limit=0", "?limit=1001", "?limit=ten"}) {
        EXPECT_EQ(get(std::string("/v1/cases") + bad, manager).status, 400) << bad;
    }
    EXPECT_EQ(cases(manager, "?limit=1000").size(), 1u);
}

TEST_F(CASES_SUITE, RetentionAndErasureRemoveTheContactAndErasureEmptiesTheNotesAndTheOutcome) {
    const auto kept = detractor("session-e");
    const auto erased = detractor("session-f");
    const auto closed = detractor("session-h");  // resolved before its shopper is erased
    ASSERT_EQ(send(json{kept.feedback, kept.consent, erased.feedback, erased.consent, closed.feedback,
                        closed.consent}),
              (std::vector<std::string>(6, "accepted")));
    const auto admin = hub().headOfficeToken();
    std::map<std::string, std::string> caseOf;
    for (const auto& c : cases(admin)) caseOf[c["feedbackMessageId"]] = c["id"];
    ASSERT_EQ(caseOf.size(), 3u);

    // Outcomes that repeat what the shopper said: the closed case resolved with one, the kept case given one
    // on its way (its contact stays for the retention pass below).
    const std::string outcome = "Ptarmigan voucher texted to +1 415 555 0162 as she asked";
    const auto status = [&](const std::string& id, const json& body) {
        return post("/v1/cases/" + id + "/status", body.dump(), admin).status;
    };
    ASSERT_EQ(status(caseOf[closed.feedbackId], {{"status", "resolved"}, {"outcome", outcome}}), 200);
    ASSERT_EQ(status(caseOf[kept.feedbackId], {{"status", "in_progress"}, {"outcome", outcome}}), 200);
    ASSERT_EQ(revealed(caseOf[closed.feedbackId], admin)["outcome"], outcome);
    EXPECT_EQ(oneCase(caseOf[closed.feedbackId], admin)["outcome"],
              "Ptarmigan voucher texted to [phone] as she asked")
        << "masked like the notes unless a manager or admin reveals it";
    const auto closedAudit = auditOf(caseOf[closed.feedbackId], admin);
    ASSERT_GE(closedAudit.size(), 1u);
    EXPECT_EQ(closedAudit[0], "status:open -> resolved, outcome set") << "the audit never repeats an outcome";
    const auto stored = storedOutcomes();
    ASSERT_EQ(stored.size(), 3u);
    for (const auto& [id, value] : stored) EXPECT_EQ(value.find("0162"), std::string::npos) << "plaintext: " << id;
    EXPECT_EQ(stored.at(caseOf[closed.feedbackId]).rfind("tpf1:", 0), 0u) << "sealed at rest";
    EXPECT_EQ(auditDetails().find("0162"), std::string::npos);

    // Staff notes on both cases, with what the shoppers told them on the phone.
    const std::string note = "Reached her on +1 415 555 0199, writes from rosalind.quince@example.org";
    for (const auto& [feedbackId, id] : caseOf) {
        ASSERT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", note}}.dump(), admin).status, 200);
        ASSERT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", "voucher promised"}}.dump(), admin).status,
                  200);
    }
    const auto notesBefore = revealed(caseOf[erased.feedbackId], admin)["notes"];
    ASSERT_EQ(notesBefore.size(), 2u);

    // Erasure of the shopper's profile takes the contact with it, the text of every note on the case and its
    // outcome.
    const auto closedBefore = revealed(caseOf[closed.feedbackId], admin);
    for (const auto* p : {&erased, &closed}) {
        const auto e = oneCase(caseOf[p->feedbackId], admin);
        ASSERT_TRUE(e["shopper"].is_object()) << e.dump();
        const std::string profile = e["shopper"]["profileId"];
        EXPECT_EQ(del("/v1/profiles/" + profile, admin).status, 200);
    }
    const auto afterErasure = revealed(caseOf[erased.feedbackId], admin);
    EXPECT_TRUE(afterErasure["contact"]["value"].is_null()) << afterErasure.dump();
    EXPECT_EQ(afterErasure["contact"]["erasedReason"], "erasure");
    ASSERT_EQ(afterErasure["notes"].size(), 2u) << afterErasure.dump();
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(afterErasure["notes"][i]["text"], "") << afterErasure.dump();
        EXPECT_EQ(afterErasure["notes"][i]["by"], notesBefore[i]["by"]);
        EXPECT_EQ(afterErasure["notes"][i]["at"], notesBefore[i]["at"]);
    }
    EXPECT_EQ(afterErasure.dump().find("rosalind.quince"), std::string::npos);
    const auto keptCase = revealed(caseOf[kept.feedbackId], admin);
    EXPECT_EQ(keptCase["contact"]["value"], "+12025550123");
    ASSERT_EQ(keptCase["notes"].size(), 2u);
    EXPECT_EQ(keptCase["notes"][0]["text"], note) << "another shopper's case keeps its notes";
    EXPECT_EQ(keptCase["outcome"], outcome) << "and its outcome";
    const auto closedAfter = revealed(caseOf[closed.feedbackId], admin);
    EXPECT_EQ(closedAfter["outcome"], "") << closedAfter.dump();
    EXPECT_EQ(closedAfter["status"], "resolved");
    EXPECT_EQ(closedAfter["resolvedAt"], closedBefore["resolvedAt"]);
    EXPECT_EQ(closedAfter["updatedAt"], closedBefore["updatedAt"]);
    EXPECT_EQ(closedAfter.dump().find("0162"), std::string::npos);
    EXPECT_EQ(storedOutcomes().at(caseOf[closed.feedbackId]), "") << "nothing left to open with the key";
    EXPECT_EQ(revealed(caseOf[erased.feedbackId], admin)["outcome"], "") << "it had none";

    // The retention pass: nothing before 65 days, the contact after; running it twice changes nothing more.
    auto& store = hub().store().cases();
    const std::int64_t now = SystemClock::instance().utcMs();
    const std::int64_t retention = 65 * kDayMs;
    ASSERT_EQ(*store.eraseExpiredContacts(now + 64 * kDayMs, retention), 0);
    ASSERT_EQ(*store.eraseExpiredContacts(now + 66 * kDayMs, retention), 1);
    ASSERT_EQ(*store.eraseExpiredContacts(now + 67 * kDayMs, retention), 0);
    const auto afterRetention = oneCase(caseOf[kept.feedbackId], admin);
    EXPECT_TRUE(afterRetention["contact"]["value"].is_null());
    EXPECT_EQ(afterRetention["contact"]["erasedReason"], "retention");
    for (const auto& c : cases(admin)) EXPECT_EQ(c["hasContact"], false) << c.dump();
}

TEST_F(CASES_SUITE, OverdueFilterAndAlertsRouteAnswer) {
    const auto p = detractor("session-g");
    ASSERT_EQ(send(json{p.feedback, p.consent}), (std::vector<std::string>{"accepted", "accepted"}));
    const auto admin = hub().headOfficeToken();
    EXPECT_EQ(cases(admin, "?overdue=true").size(), 0u) << "due 48 hours after it opened";
    EXPECT_EQ(cases(admin, "?overdue=false&store=store-1").size(), 1u);
    EXPECT_EQ(cases(admin, "?store=store-2").size(), 0u);
    EXPECT_EQ(get("/v1/cases?overdue=maybe", admin).status, 400);
    EXPECT_EQ(get("/v1/cases", hub().ingestToken()).status, 403);
    const auto alerts = get("/v1/alerts?store=store-1", admin);
    ASSERT_EQ(alerts.status, 200) << alerts.body;
    EXPECT_TRUE(alerts.json()["alerts"].empty()) << "no alert rules in the default configuration";
    EXPECT_EQ(get("/v1/cases/not-a-case", admin).status, 404);
    EXPECT_EQ(post("/v1/cases/not-a-case/notes", json{{"text", "x"}}.dump(), admin).status, 404);
    EXPECT_EQ(post("/v1/cases/not-a-case/status", json{{"status", "resolved"}}.dump(), admin).status, 404);
}

}  // namespace
}  // namespace touchpoint::hub::testing
