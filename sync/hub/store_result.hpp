#pragma once
// The error every hub storage interface returns: the SQL backends, the journey repository the rules run on, and
// the narrow store interfaces the routes use. Apart from them all, so the journey rules need not include store/.

#include <string>

#include "common/result.hpp"

namespace touchpoint::hub {

struct StoreError {
    std::string message;
    /// A conflict with another writer (SQLITE_BUSY, serialization failure, deadlock): retry the transaction.
    bool retryable = false;
};

template <class T>
using StoreResult = Result<T, StoreError>;

}  // namespace touchpoint::hub
