// PostgreSQL side of SqlConnection through libpq. Parameters and results travel as text (results are typed
// by their column's type as they are read); `?` placeholders are rewritten to $n once per distinct statement.

#include <libpq-fe.h>

#include <charconv>

#include <mutex>
#include <unordered_map>

#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

namespace {

struct ConnCloser {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, ResultClearer>;

/// `?` -> `$n`, skipping quoted text.
std::string numberPlaceholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    bool quoted = false;
    for (char c : sql) {
        if (c == '\'') quoted = !quoted;
        if (c == '?' && !quoted) {
            out += '$';
            out += std::to_string(++n);
        } else {
            out += c;
        }
    }
    return out;
}

// Built-in type oids (catalog/pg_type_d.h, stable across releases).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kFloat4Oid = 700, kFloat8Oid = 701;

/// A text-format value as the cell its column's type says it is; anything else stays text.
SqlCell typedCell(Oid type, std::string_view text) {
    switch (type) {
        case kBoolOid: return std::int64_t{text == "t" ? 1 : 0};
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid: {
            std::int64_t v = 0;
            const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc() && ptr == text.data() + text.size()) return v;
            break;
        }
        case kFloat4Oid:
        case kFloat8Oid: {
            double v = 0;
            const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc() && ptr == text.data() + text.size()) return v;
            break;  // NaN and Infinity stay text
        }
        default: break;
    }
    return std::string(text);
}

class PostgresConnection final : public SqlConnection {
public:
    explicit PostgresConnection(PGconn* conn) : m_conn(conn) {}

    Dialect dialect() const override { return Dialect::Postgres; }
    std::string_view forUpdate() const override { return " FOR UPDATE"; }

    StoreResult<SqlRows> query(std::string_view sql, const std::vector<SqlValue>& params) override {
        auto r = run(sql, params);
        if (!r) return Fail(r.error());
        PGresult* res = r.value().get();
        SqlRows rows;
        const int nRows = PQntuples(res);
        const int nCols = PQnfields(res);
        rows.rows.reserve(static_cast<std::size_t>(nRows));
        for (int i = 0; i < nRows; ++i) {
            auto& row = rows.rows.emplace_back();
            row.reserve(static_cast<std::size_t>(nCols));
            for (int c = 0; c < nCols; ++c) {
                if (PQgetisnull(res, i, c)) {
                    row.emplace_back(std::monostate{});
                } else {
                    row.emplace_back(typedCell(PQftype(res, c), std::string_view(PQgetvalue(res, i, c),
                                                                             static_cast<std::size_t>(PQgetlength(res, i, c)))));
                }
            }
        }
        return rows;
    }

    StoreResult<std::int64_t> exec(std::string_view sql, const std::vector<SqlValue>& params) override {
        auto r = run(sql, params);
        if (!r) return Fail(r.error());
        const char* n = PQcmdTuples(r.value().get());
        return n && *n ? static_cast<std::int64_t>(std::stoll(n)) : std::int64_t{0};
    }

    StoreResult<void> script(std::string_view sql) override {
        PgResultPtr res(PQexec(m_conn.get(), std::string(sql).c_str()));
        if (auto e = check(res.get())) return Fail(*e);
        return {};
    }

    StoreResult<void> begin() override { return script("BEGIN"); }
    StoreResult<void> commit() override { return script("COMMIT"); }
    void rollback() override { (void)script("ROLLBACK"); }

private:
    std::optional<StoreError> check(PGresult* res) const {
        const auto status = PQresultStatus(res);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return std::nullopt;
        const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
        const std::string code = state ? state : "";
        // Only the primary message: the full text carries DETAIL lines such as `Key (value)=(a@b.example)`,
        // which would put personal data into logs and error answers.
        const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
        std::string msg = primary ? primary : PQerrorMessage(m_conn.get());
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available: another hub got there first.
        const bool retry = code == "40001" || code == "40P01" || code == "55P03";
        return StoreError{"postgresql " + code + ": " + msg, retry};
    }

    StoreResult<PgResultPtr> run(std::string_view sql, const std::vector<SqlValue>& params) {
        auto it = m_sql.find(std::string(sql));
        if (it == m_sql.end()) it = m_sql.emplace(std::string(sql), numberPlaceholders(sql)).first;
        std::vector<std::string> texts(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
                texts[i] = std::to_string(*v);
            } else if (const auto* d = std::get_if<double>(&params[i])) {
                texts[i] = std::to_string(*d);
            } else if (const auto* s = std::get_if<std::string>(&params[i])) {
                values[i] = s->c_str();  // outlives the call
                continue;
            } else if (const auto* view = std::get_if<std::string_view>(&params[i])) {
                texts[i] = *view;  // libpq reads text parameters up to a NUL
            } else {
                continue;  // NULL
            }
            values[i] = texts[i].c_str();
        }
        PgResultPtr res(PQexecParams(m_conn.get(), it->second.c_str(), static_cast<int>(params.size()), nullptr,
                                     values.data(), nullptr, nullptr, 0));
        if (auto e = check(res.get())) return Fail(*e);
        return res;
    }

    std::unique_ptr<PGconn, ConnCloser> m_conn;
    std::unordered_map<std::string, std::string> m_sql;
};

}  // namespace

StoreResult<std::unique_ptr<SqlConnection>> openPostgres(const std::string& url) {
    std::unique_ptr<PGconn, ConnCloser> conn(PQconnectdb(url.c_str()));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
        std::string msg = conn ? PQerrorMessage(conn.get()) : "out of memory";
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        return Fail(StoreError{"connect to postgresql: " + msg, false});
    }
    PgResultPtr res(PQexec(conn.get(), "SET client_min_messages = warning"));
    return std::unique_ptr<SqlConnection>(new PostgresConnection(conn.release()));
}

}  // namespace touchpoint::hub
