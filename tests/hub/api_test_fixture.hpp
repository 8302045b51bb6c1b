#pragma once
// The fixture of the API tests (api_test.cpp, api_reads_test.cpp): one class for the suite HUB_SUITE, which is
// HubSqlite or HubPostgres by the executable's definition.

#include <optional>
#include <string>

#include "api_test_support.hpp"

namespace touchpoint::hub::testing {

inline constexpr std::int64_t kHour = 3'600'000;

class HUB_SUITE : public HubApiTest {
protected:
    std::string today() const { return formatIsoUtcMs(m_clock.utcMs()).substr(0, 10); }
    std::string range() const { return "from=" + today() + "&to=" + today(); }
    nlohmann::json lookup(const std::string& query) {
        const auto r = get("/v1/profiles/lookup?" + query, hub().lookupToken());
        return r.status == 200 ? r.json() : nlohmann::json{{"status", r.status}};
    }
    event::FeedbackAnswers answers(std::optional<int> nps, std::optional<int> csat = std::nullopt,
                                   std::optional<int> ces = std::nullopt, const std::string& comment = "") {
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = nps;
        a.csat = csat;
        a.ces = ces;
        a.reasons = {"staff"};
        a.comment = comment;
        return a;
    }
};

}  // namespace touchpoint::hub::testing
