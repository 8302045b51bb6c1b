// Backoff schedule, drain pacing, response classification and poison bisection, without a network.
#include <gtest/gtest.h>

#include <set>

#include "uploader/backoff.hpp"
#include "uploader/delivery.hpp"
#include "uploader/health.hpp"

namespace touchpoint::uploader {
namespace {

using namespace std::chrono_literals;

TEST(BackoffSchedule, DoublesFromBaseUpToTheCap) {
    Backoff b(1000ms, 300'000ms, [] { return 1.0; });
    EXPECT_EQ(b.ceiling(0), 0ms);
    EXPECT_EQ(b.ceiling(1), 1000ms);
    EXPECT_EQ(b.ceiling(2), 2000ms);
    EXPECT_EQ(b.ceiling(9), 256'000ms);
    EXPECT_EQ(b.ceiling(10), 300'000ms);
    EXPECT_EQ(b.ceiling(1000), 300'000ms);  // no overflow
    EXPECT_EQ(b.next(3), 4000ms);
}

TEST(BackoffSchedule, FullJitterSpansZeroToTheCeiling) {
    double r = 0.0;
    Backoff b(1000ms, 300'000ms, [&] { return r; });
    EXPECT_EQ(b.next(5), 0ms);
    r = 0.5;
    EXPECT_EQ(b.next(5), 8000ms);
    Backoff real(1000ms, 8000ms);
    std::set<std::int64_t> seen;
    for (int i = 0; i < 200; ++i) {
        const auto d = real.next(4);
        EXPECT_GE(d, 0ms);
        EXPECT_LE(d, 8000ms);
        seen.insert(d.count());
    }
    EXPECT_GT(seen.size(), 50u);  // actually random, not a constant
}

TEST(DrainPacer, SpreadsEventsAtTheRate) {
    DrainPacer p;
    EXPECT_EQ(p.waitBefore(0), 0ms);  // inactive
    p.start(1000.0);
    EXPECT_EQ(p.waitBefore(0), 0ms);
    p.consumed(500, 0);
    EXPECT_EQ(p.waitBefore(0), 500ms);
    EXPECT_EQ(p.waitBefore(200), 300ms);
    p.consumed(1000, 600);  // after the wait: next allowed at 600 + 1000
    EXPECT_EQ(p.waitBefore(600), 1000ms);
    p.stop();
    EXPECT_EQ(p.waitBefore(600), 0ms);
}

HttpResult answer(long status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

HttpResult transportFailure(TransportErrc kind) { return Fail(TransportError{kind, "detail", 0, 0}); }

TEST(Classify, ValidReceiptIsDelivered) {
    const auto body = protocol::encodeReceipts({{"a", protocol::ReceiptStatus::Accepted, ""}}, 1'700'000'000'000);
    const auto c = classifyResponse(answer(200, body, {{"content-type", "application/json"}}), {"a"}, 0);
    EXPECT_EQ(c.verdict, Verdict::Delivered);
    EXPECT_EQ(c.receipts.serverTimeMs, 1'700'000'000'000);
}

TEST(Classify, StatusCodes) {
    auto verdictFor = [](long status) { return classifyResponse(answer(status, "{}"), {"a"}, 0).verdict; };
    for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) EXPECT_EQ(verdictFor(s), Verdict::Retry) << s;
    for (long s : {400L, 409L, 413L, 422L}) EXPECT_EQ(verdictFor(s), Verdict::Split) << s;
    for (long s : {401L, 403L}) EXPECT_EQ(verdictFor(s), Verdict::AuthError) << s;
    for (long s : {404L, 405L, 501L, 505L}) EXPECT_EQ(verdictFor(s), Verdict::Misconfigured) << s;
    EXPECT_EQ(classifyResponse(answer(302, ""), {"a"}, 0).causeCode, "captive_portal");
}

TEST(Classify, BadTwoHundredsAreRetriedWithTheirOwnCause) {
    const auto portal = classifyResponse(answer(200, "<html>login</html>", {{"content-type", "text/html"}}), {"a"}, 0);
    EXPECT_EQ(portal.verdict, Verdict::Retry);
    EXPECT_EQ(portal.causeCode, "captive_portal");
    const auto cut = classifyResponse(answer(200, R"({"receipts":[{"messageId":"a",)"), {"a"}, 0);
    EXPECT_EQ(cut.verdict, Verdict::Retry);
    EXPECT_EQ(cut.causeCode, "bad_response");
}

TEST(Classify, RetryAfterAndDateAreRead) {
    const std::int64_t now = 1'700'000'000'000;
    const auto c = classifyResponse(
        answer(429, "{}", {{"retry-after", "7"}, {"date", protocol::formatHttpDate(now + 3000)}}), {"a"}, now);
    EXPECT_EQ(c.retryAfter, 7000ms);
    EXPECT_EQ(c.serverDateMs, now + 3000);
}

TEST(Classify, TransportKindsMapToStates) {
    EXPECT_EQ(classifyResponse(transportFailure(TransportErrc::ConnectFailed), {}, 0).verdict, Verdict::Retry);
    EXPECT_EQ(classifyResponse(transportFailure(TransportErrc::Timeout), {}, 0).verdict, Verdict::Retry);
    EXPECT_EQ(classifyResponse(transportFailure(TransportErrc::TlsUntrusted), {}, 0).verdict, Verdict::TlsError);
    EXPECT_EQ(classifyResponse(transportFailure(TransportErrc::TlsNotYetValid), {}, 0).verdict, Verdict::ClockWrong);
    EXPECT_EQ(classifyResponse(transportFailure(TransportErrc::Aborted), {}, 0).verdict, Verdict::Aborted);
    EXPECT_EQ(classifyResponse(transportFailure(TransportErrc::Timeout), {}, 0).causeCode, "timeout");
    // Only a request that may have reached the hub counts as an attempt on its messages' rows.
    EXPECT_FALSE(classifyResponse(transportFailure(TransportErrc::ConnectFailed), {}, 0).requestSent);
    EXPECT_FALSE(classifyResponse(transportFailure(TransportErrc::TlsUntrusted), {}, 0).requestSent);
    EXPECT_TRUE(classifyResponse(transportFailure(TransportErrc::Timeout), {}, 0).requestSent);
    EXPECT_TRUE(classifyResponse(transportFailure(TransportErrc::ConnectionLost), {}, 0).requestSent);
}

/// A fake hub for bisection: refuses (Split) any range that contains a poison index.
struct FakeSplitHub {
    std::set<std::size_t> poison;
    std::vector<std::pair<std::size_t, std::size_t>> requests;
    std::vector<std::size_t> delivered;
    std::optional<std::size_t> failAtRequest;

    Classification send(std::size_t b, std::size_t e) {
        requests.emplace_back(b, e);
        Classification c;
        if (failAtRequest && requests.size() == *failAtRequest) {
            c.verdict = Verdict::Retry;
            return c;
        }
        for (std::size_t i = b; i < e; ++i) {
            if (poison.count(i) != 0) {
                c.verdict = Verdict::Split;
                c.httpStatus = 400;
                return c;
            }
        }
        for (std::size_t i = b; i < e; ++i) delivered.push_back(i);
        c.verdict = Verdict::Delivered;
        return c;
    }
};

TEST(BatchSplitting, IsolatesOnePoisonMessageInLogarithmicRequests) {
    FakeSplitHub hub;
    hub.poison = {37};
    std::vector<std::size_t> dead;
    const auto out = deliverSplitting(
        100, [&](std::size_t b, std::size_t e) { return hub.send(b, e); },
        [&](std::size_t i, const Classification&) { dead.push_back(i); return true; });
    EXPECT_EQ(out.last.verdict, Verdict::Delivered);
    EXPECT_EQ(dead, std::vector<std::size_t>{37});
    EXPECT_EQ(hub.delivered.size(), 99u);
    EXPECT_TRUE(std::is_sorted(hub.delivered.begin(), hub.delivered.end()));  // order kept
    EXPECT_LE(out.requests, 1u + 2u * 7u);
    EXPECT_EQ(out.poisoned, 1u);
}

TEST(BatchSplitting, SeveralPoisonMessages) {
    FakeSplitHub hub;
    hub.poison = {0, 5, 6, 31};
    std::vector<std::size_t> dead;
    const auto out = deliverSplitting(
        32, [&](std::size_t b, std::size_t e) { return hub.send(b, e); },
        [&](std::size_t i, const Classification&) { dead.push_back(i); return true; });
    EXPECT_EQ(out.last.verdict, Verdict::Delivered);
    EXPECT_EQ(dead, (std::vector<std::size_t>{0, 5, 6, 31}));
    EXPECT_EQ(hub.delivered.size(), 28u);
}

TEST(BatchSplitting, StopsAtARetryableFailureAndKeepsTheRestPending) {
    FakeSplitHub hub;
    hub.poison = {3};
    hub.failAtRequest = 3;  // the hub goes down in the middle of the bisection
    std::vector<std::size_t> dead;
    const auto out = deliverSplitting(
        8, [&](std::size_t b, std::size_t e) { return hub.send(b, e); },
        [&](std::size_t i, const Classification&) { dead.push_back(i); return true; });
    EXPECT_EQ(out.last.verdict, Verdict::Retry);
    EXPECT_TRUE(dead.empty());
    EXPECT_EQ(out.requests, 3u);
}

TEST(BatchSplitting, ALocalDeadLetterFailureStopsWithoutLosingTheMessage) {
    FakeSplitHub hub;
    hub.poison = {0};
    const auto out = deliverSplitting(
        1, [&](std::size_t b, std::size_t e) { return hub.send(b, e); },
        [&](std::size_t, const Classification&) { return false; });
    EXPECT_EQ(out.last.verdict, Verdict::Retry);
    EXPECT_EQ(out.poisoned, 0u);
}

TEST(Health, JsonNamesTheStateAndCause) {
    HealthSnapshot h;
    h.state = UploaderState::TlsError;
    h.causeCode = "tls_untrusted";
    h.deadLettersByReason = {{"http_400", 2}};
    h.oldestPendingAgeMs = 90'500;
    const auto j = h.toJson();
    EXPECT_EQ(j["state"], "tls-error");
    EXPECT_EQ(j["causeCode"], "tls_untrusted");
    EXPECT_EQ(j["deadLettersByReason"]["http_400"], 2);
    EXPECT_EQ(j["oldestPendingAgeS"], 90);
    EXPECT_TRUE(j["lastSuccess"].is_null());
}

}  // namespace
}  // namespace touchpoint::uploader
