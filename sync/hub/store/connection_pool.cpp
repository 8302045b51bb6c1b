#include "hub/store/connection_pool.hpp"

namespace touchpoint::hub {

ConnectionPool::ConnectionPool(std::vector<std::unique_ptr<SqlConnection>> connections)
    : m_free(std::move(connections)), m_dialect(m_free.at(0)->dialect()) {}

ConnectionPool::Lease::~Lease() {
    {
        std::lock_guard<std::mutex> lock(m_pool.m_mutex);
        m_pool.m_free.push_back(std::move(m_conn));
    }
    m_pool.m_cv.notify_one();
}

ConnectionPool::Lease ConnectionPool::acquire() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [this] { return !m_free.empty(); });
    auto c = std::move(m_free.back());
    m_free.pop_back();
    return Lease(*this, std::move(c));
}

}  // namespace touchpoint::hub
