#pragma once
// What one retention run removed: HubStore::applyRetention answers it, the retention job reports it.

#include <cstdint>
#include <map>
#include <string>

namespace touchpoint::hub {

/// What one retention run removed, by kind ("comments", "staff_audit").
struct RetentionReport {
    std::map<std::string, std::int64_t> removed;
};

}  // namespace touchpoint::hub
