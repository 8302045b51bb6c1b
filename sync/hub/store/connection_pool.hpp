#pragma once
// A fixed set of open connections shared by threads: reads borrow one for an operation, and so do
// PostgreSQL's write transactions (which run side by side). Internal to the hub library.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

class ConnectionPool {
public:
    /// At least one connection.
    explicit ConnectionPool(std::vector<std::unique_ptr<SqlConnection>> connections);
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    /// A borrowed connection; back in the pool on destruction.
    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<SqlConnection> c) : m_pool(pool), m_conn(std::move(c)) {}
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        SqlConnection& operator*() { return *m_conn; }
        SqlConnection* operator->() { return m_conn.get(); }

    private:
        ConnectionPool& m_pool;
        std::unique_ptr<SqlConnection> m_conn;
    };

    /// Waits until a connection is free.
    Lease acquire();
    Dialect dialect() const { return m_dialect; }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::unique_ptr<SqlConnection>> m_free;
    Dialect m_dialect;
};

}  // namespace touchpoint::hub
