// Reading typed result cells, converting where a caller asks for another type; statements over a set of keys.

#include <charconv>
#include <cmath>

#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::string SqlRows::text(std::size_t row, std::size_t col) const {
    return std::visit(Overloaded{[](std::monostate) { return std::string(); },
                                 [](std::int64_t v) { return std::to_string(v); },
                                 [](double v) {
                                     char buf[32];
                                     const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
                                     return ec == std::errc() ? std::string(buf, ptr) : std::string();
                                 },
                                 [](const std::string& v) { return v; }},
                      rows.at(row).at(col));
}

std::int64_t SqlRows::integer(std::size_t row, std::size_t col, std::int64_t fallback) const {
    return std::visit(Overloaded{[&](std::monostate) { return fallback; }, [](std::int64_t v) { return v; },
                                 [&](double v) {
                                     // Truncated, as SQLite's own CAST does; beyond int64 there is no answer.
                                     if (!std::isfinite(v) || std::fabs(v) >= 0x1p63) return fallback;
                                     return static_cast<std::int64_t>(v);
                                 },
                                 [&](const std::string& v) {
                                     std::int64_t out = fallback;
                                     const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
                                     return ec == std::errc() ? out : fallback;
                                 }},
                      rows.at(row).at(col));
}

double SqlRows::real(std::size_t row, std::size_t col, double fallback) const {
    return std::visit(Overloaded{[&](std::monostate) { return fallback; },
                                 [](std::int64_t v) { return static_cast<double>(v); }, [](double v) { return v; },
                                 [&](const std::string& v) {
                                     double out = fallback;
                                     const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
                                     return ec == std::errc() ? out : fallback;
                                 }},
                      rows.at(row).at(col));
}

bool SqlRows::isNull(std::size_t row, std::size_t col) const {
    return std::holds_alternative<std::monostate>(rows.at(row).at(col));
}

StoreResult<SqlRows> queryIn(SqlConnection& c, const std::string& prefix, std::vector<SqlValue> params,
                             const std::vector<SqlValue>& list, std::string_view suffix) {
    std::size_t padded = 1;
    while (padded < list.size()) padded *= 2;
    std::string sql = prefix + " IN (?";
    for (std::size_t i = 1; i < padded; ++i) sql += ",?";
    sql += ')';
    sql += suffix;
    params.insert(params.end(), list.begin(), list.end());
    params.resize(params.size() + padded - list.size(), list.back());
    return c.query(sql, params);
}

}  // namespace touchpoint::hub
