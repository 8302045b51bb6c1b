#pragma once
// Which survey version an answer says it answered (docs/PROTOCOL.md, `Feedback Submitted`): one rule for ingest
// and for the schema step that filled the column in for answers stored before it existed.

#include <cstdint>
#include <nlohmann/json.hpp>

#include "hub/ingest/json_props.hpp"
#include "hub/journey/stats_data.hpp"

namespace touchpoint::hub {

/// `properties.surveyVersion` as a whole number from 1 to kMaxSurveyVersion. Anything else (absent, text such
/// as "2", negative, fractional, too large) is kUnknownSurveyVersion: the answer is kept and still counts, its
/// figures just cannot be told apart by version. Rejecting it would lose a shopper's answer for a bad label.
inline std::int64_t answerSurveyVersion(const nlohmann::json& properties) {
    return intProp(properties, "surveyVersion", 1, kMaxSurveyVersion).value_or(kUnknownSurveyVersion);
}

}  // namespace touchpoint::hub
