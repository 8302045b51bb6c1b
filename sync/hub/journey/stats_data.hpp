#pragma once
// The rows statistics are computed from (journey/stats.hpp), as the store reads them (HubStore::statsData).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::hub {

/// One feedback row for statistics (days are UTC "YYYY-MM-DD").
struct FeedbackRow {
    std::string day;
    std::string store;
    std::int64_t atMs = 0;
    bool abandoned = false;
    bool misuse = false;
    std::optional<int> nps, csat, ces;
    std::vector<std::string> reasons;
    std::optional<std::string> comment;
};

struct SigninRow {
    std::string day;
    std::string store;
    bool newMember = false;
};

struct TransitionRow {
    std::string from, to, channel;
    std::int64_t count = 0;
};

struct StatsData {
    std::vector<FeedbackRow> feedback;
    std::vector<SigninRow> signins;
    std::map<std::string, std::int64_t> stages;
    std::vector<TransitionRow> transitions;
};

}  // namespace touchpoint::hub
