#include "hub/store/write_strategy.hpp"

#include <chrono>
#include <thread>

namespace touchpoint::hub {

namespace {

/// Transactions side by side, each on a pooled connection. PostgreSQL groups commits itself.
class PooledWrites final : public WriteStrategy {
public:
    explicit PooledWrites(ConnectionPool& pool) : m_pool(pool) {}

    StoreResult<void> write(const Work& work) override {
        return retrying([&] {
            auto lease = m_pool.acquire();
            return transactOnce(*lease, work);
        });
    }

    StoreResult<std::vector<ReceiptStatus>> ingest(const std::vector<const IngestMessage*>& messages,
                                                   const std::vector<PreparedMessage>& prepared,
                                                   const IngestWork& work) override {
        std::vector<const PreparedMessage*> ids;
        ids.reserve(prepared.size());
        for (const auto& i : prepared) ids.push_back(&i);
        std::vector<ReceiptStatus> out;
        auto r = write([&](SqlConnection& c) -> StoreResult<void> {
            auto stored = work(c, messages, ids);
            if (!stored) return Fail(stored.error());
            out = std::move(stored).value();
            return {};
        });
        if (!r) return Fail(r.error());
        return out;
    }

private:
    ConnectionPool& m_pool;
};

}  // namespace

StoreResult<void> WriteStrategy::retrying(const std::function<StoreResult<void>()>& attempt) {
    constexpr int kAttempts = 20;
    StoreError last{"no attempt made", false};
    for (int n = 0; n < kAttempts; ++n) {
        auto r = attempt();
        if (r) return r;
        last = r.error();
        if (!last.retryable) return Fail(last);
        std::this_thread::sleep_for(std::chrono::milliseconds(2 * (n + 1)));
    }
    return Fail(StoreError{"gave up after repeated conflicts: " + last.message, true});
}

StoreResult<void> WriteStrategy::transactOnce(SqlConnection& conn, const Work& work) {
    if (auto b = conn.begin(); !b) return b;
    StoreResult<void> r = Fail(StoreError{"not run", false});
    try {
        r = work(conn);
    } catch (...) {
        conn.rollback();  // the connection's next transaction must not find this one still open
        throw;
    }
    if (r) r = conn.commit();
    if (!r) conn.rollback();
    return r;
}

std::unique_ptr<WriteStrategy> pooledWrites(ConnectionPool& pool) { return std::make_unique<PooledWrites>(pool); }

}  // namespace touchpoint::hub
