// PostgreSQL side of SqlConnection through libpq. Parameters and results travel as text (results are typed
// by their column's type as they are read); `?` placeholders are rewritten to $n once per distinct statement.

#include <libpq-fe.h>

#include <algorithm>
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

/// libpq's message on one line, for logs.
std::string oneLine(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n' || c == '\t') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
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

/// How many deferred statements may wait in a pipeline before it is sent: their answers (a few dozen bytes
/// each) then stay far below what the socket buffers hold, so neither side can block on a full buffer.
constexpr std::size_t kMaxDeferred = 256;
/// Statements a connection prepares (parsed and planned once on the server, then only bound and run); any beyond
/// these are sent unnamed, so a connection's server memory stays bounded whatever SQL callers build.
constexpr std::size_t kMaxPrepared = 128;

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
        return changedRows(r.value().get());
    }

    StoreResult<void> defer(std::string_view sql, const std::vector<SqlValue>& params,
                            std::optional<StoreError> ifNoRowChanged) override {
        if (auto c = openPipeline(); !c) return c;
        if (!send(sql, params)) {
            auto e = connectionError("send");
            (void)finishPipeline(false);
            return Fail(e);
        }
        m_deferred.push_back({std::move(ifNoRowChanged), nullptr});
        if (m_deferred.size() < kMaxDeferred) return {};
        auto done = finishPipeline(false);
        if (!done) return Fail(done.error());
        return {};
    }

    StoreResult<void> script(std::string_view sql) override {
        if (!m_deferred.empty()) {  // a single statement (COMMIT) rides the pipeline with the deferred writes
            auto r = run(sql, {});
            if (!r) return Fail(r.error());
            return {};
        }
        if (auto c = usable(); !c) return c;
        PgResultPtr res(PQexec(m_conn.get(), std::string(sql).c_str()));
        if (auto e = check(res.get())) return Fail(*e);
        return {};
    }

    StoreResult<void> begin() override {
        auto r = script("BEGIN");
        m_inTransaction = r.ok();
        return r;
    }
    StoreResult<void> commit() override {
        // A deferred statement that must change a row is judged by its answer here, not by the server: read
        // the answers before COMMIT is sent, or a batch that has to run again would be committed first.
        const bool judged = std::any_of(m_deferred.begin(), m_deferred.end(),
                                        [](const InFlight& d) { return d.ifNoRowChanged.has_value(); });
        if (judged) {
            if (auto f = finishPipeline(false); !f) {
                m_inTransaction = false;  // still open on the server; the caller rolls it back
                return Fail(f.error());
            }
        }
        auto r = script("COMMIT");
        m_inTransaction = false;
        return r;
    }
    void rollback() override {
        if (!m_deferred.empty()) (void)finishPipeline(false);
        m_inTransaction = false;
        if (PQstatus(m_conn.get()) == CONNECTION_OK) (void)script("ROLLBACK");
    }

private:
    static std::int64_t changedRows(PGresult* res) {
        const char* n = PQcmdTuples(res);
        return n && *n ? static_cast<std::int64_t>(std::stoll(n)) : std::int64_t{0};
    }

    /// The connection, reopened first when it broke (a restarted or failed-over server, a dropped socket):
    /// a pool keeps no dead connection. Never inside a transaction, whose work went with the old session.
    StoreResult<void> usable() {
        if (PQstatus(m_conn.get()) == CONNECTION_OK && !m_broken) return {};
        if (m_inTransaction) return Fail(StoreError{"postgresql connection lost inside a transaction", false});
        // With a multi-host conninfo and target_session_attrs=read-write this finds the current primary.
        PQreset(m_conn.get());
        for (auto& [sql, st] : m_sql) st.state = Statement::State::Unprepared;  // went with the old session
        if (PQstatus(m_conn.get()) != CONNECTION_OK) return Fail(connectionError("reconnect"));
        m_broken = false;
        PgResultPtr res(PQexec(m_conn.get(), "SET client_min_messages = warning"));
        return {};
    }

    StoreError connectionError(const char* what) const {
        return StoreError{std::string("postgresql ") + what + ": " + oneLine(PQerrorMessage(m_conn.get())), false};
    }

    std::optional<StoreError> check(PGresult* res) {
        const auto status = PQresultStatus(res);
        if (res && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) return std::nullopt;
        const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
        const std::string code = state ? state : "";
        // Only the primary message: the full text carries DETAIL lines such as `Key (value)=(a@b.example)`,
        // which would put personal data into logs and error answers.
        const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
        std::string msg = oneLine(primary ? primary : PQerrorMessage(m_conn.get()));
        // Class 08 (connection), 57P01-03 (server shutting down or starting) and 25006 (a read-only session: this
        // server became a standby in a failover): open the connection afresh before its next use.
        // 26000: a prepared statement this connection believed it had is gone; a fresh session resets that belief.
        if (PQstatus(m_conn.get()) != CONNECTION_OK || code.rfind("08", 0) == 0 || code.rfind("57P0", 0) == 0 ||
            code == "25006" || code == "26000") {
            m_broken = true;
        }
        // 40001 serialization failure, 40P01 deadlock, 55P03 lock not available: another hub got there first.
        const bool retry = code == "40001" || code == "40P01" || code == "55P03";
        return StoreError{"postgresql " + code + ": " + msg, retry};
    }

    /// A statement as sent: its `$n` text and, for the first kMaxPrepared distinct ones, a server-side name.
    struct Statement {
        enum class State { Unprepared, Preparing, Ready };
        std::string numbered;
        std::string name;  ///< empty: always sent unnamed
        State state = State::Unprepared;
    };
    /// What was sent in the open pipeline, in order: a deferred write (judged by `ifNoRowChanged`) or the
    /// preparation of `preparing`.
    struct InFlight {
        std::optional<StoreError> ifNoRowChanged;
        Statement* preparing = nullptr;
    };

    StoreResult<void> openPipeline() {
        if (!m_deferred.empty()) return {};  // open, with statements in it
        if (auto c = usable(); !c) return c;  // a connection that broke mid-pipeline is reopened here
        if (PQpipelineStatus(m_conn.get()) == PQ_PIPELINE_OFF && PQenterPipelineMode(m_conn.get()) != 1) {
            m_broken = true;
            return Fail(connectionError("enter pipeline mode"));
        }
        return {};
    }

    /// Sends one statement without waiting (pipeline mode), prepared first when it is new to this session;
    /// false when libpq could not queue it.
    bool send(std::string_view sql, const std::vector<SqlValue>& params) {
        Statement& st = statement(sql);
        const int n = static_cast<int>(params.size());
        if (!st.name.empty() && st.state == Statement::State::Unprepared) {
            if (PQsendPrepare(m_conn.get(), st.name.c_str(), st.numbered.c_str(), n, nullptr) != 1) return false;
            st.state = Statement::State::Preparing;
            m_deferred.push_back({std::nullopt, &st});
        }
        std::vector<std::string> texts;
        std::vector<const char*> values;
        bindTexts(params, texts, values);
        if (st.state == Statement::State::Unprepared) {
            return PQsendQueryParams(m_conn.get(), st.numbered.c_str(), n, nullptr, values.data(), nullptr, nullptr,
                                     0) == 1;
        }
        return PQsendQueryPrepared(m_conn.get(), st.name.c_str(), n, values.data(), nullptr, nullptr, 0) == 1;
    }

    Statement& statement(std::string_view sql) {
        auto it = m_sql.find(std::string(sql));
        if (it == m_sql.end()) {
            Statement st;
            st.numbered = numberPlaceholders(sql);
            if (m_sql.size() < kMaxPrepared) st.name = "tp" + std::to_string(m_sql.size());
            it = m_sql.emplace(std::string(sql), std::move(st)).first;
        }
        return it->second;
    }

    static void bindTexts(const std::vector<SqlValue>& params, std::vector<std::string>& texts,
                          std::vector<const char*>& values) {
        texts.assign(params.size(), {});
        values.assign(params.size(), nullptr);
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
    }

    /// Syncs the pipeline and reads every answer in it: the deferred statements' (the first error among them,
    /// or a deferred statement that changed no row when it had to, is returned) and, when `withLast`, the
    /// result of the statement sent after them. Leaves pipeline mode.
    StoreResult<PgResultPtr> finishPipeline(bool withLast) {
        const std::size_t expected = m_deferred.size() + (withLast ? 1 : 0);
        std::vector<InFlight> deferred;
        deferred.swap(m_deferred);
        std::optional<StoreError> first;
        PgResultPtr last;
        if (PQpipelineSync(m_conn.get()) != 1) first = connectionError("pipeline sync");
        std::size_t index = 0;  // the statement whose results are being read; each one's end is a null result
        while (!first || PQstatus(m_conn.get()) == CONNECTION_OK) {
            PgResultPtr res(PQgetResult(m_conn.get()));
            if (!res) {
                if (PQstatus(m_conn.get()) != CONNECTION_OK || ++index > expected) {
                    if (!first) first = connectionError("pipeline");
                    m_broken = true;
                    break;
                }
                continue;
            }
            const auto status = PQresultStatus(res.get());
            if (status == PGRES_PIPELINE_SYNC) break;
            if (status == PGRES_PIPELINE_ABORTED) continue;  // after an earlier error: that one is reported
            if (auto e = check(res.get())) {
                if (!first) first = std::move(e);
                continue;
            }
            if (index < deferred.size()) {
                const InFlight& sent = deferred[index];
                if (sent.preparing) sent.preparing->state = Statement::State::Ready;
                if (sent.ifNoRowChanged && changedRows(res.get()) == 0 && !first) first = sent.ifNoRowChanged;
            } else {
                last = std::move(res);
            }
        }
        for (const InFlight& sent : deferred) {  // failed or never answered: prepare again next time
            if (sent.preparing && sent.preparing->state == Statement::State::Preparing) {
                sent.preparing->state = Statement::State::Unprepared;
            }
        }
        if (PQpipelineStatus(m_conn.get()) != PQ_PIPELINE_OFF && PQexitPipelineMode(m_conn.get()) != 1) {
            m_broken = true;  // answers left unread: this session cannot be trusted for the next statement
            if (!first) first = connectionError("exit pipeline mode");
        }
        if (first) return Fail(*first);
        if (withLast && !last) return Fail(connectionError("pipeline"));
        return last;
    }

    /// Runs one statement in a pipeline: one round trip for the deferred writes before it (whose effects it
    /// sees), its preparation when it is new, and itself.
    StoreResult<PgResultPtr> run(std::string_view sql, const std::vector<SqlValue>& params) {
        if (auto c = openPipeline(); !c) return Fail(c.error());
        if (!send(sql, params)) {
            auto e = connectionError("send");
            (void)finishPipeline(false);
            return Fail(e);
        }
        return finishPipeline(true);
    }

    std::unique_ptr<PGconn, ConnCloser> m_conn;
    std::unordered_map<std::string, Statement> m_sql;  ///< by the caller's SQL text; nodes stay put
    std::vector<InFlight> m_deferred;  ///< sent in the open pipeline, in order; empty when none is open
    bool m_inTransaction = false;
    bool m_broken = false;  ///< reopen before the next use (see check)
};

}  // namespace

StoreResult<std::unique_ptr<SqlConnection>> openPostgres(const std::string& url) {
    // A bounded wait for each host (libpq waits forever by default): a failover answers 503 in seconds, not
    // never. Keywords before `dbname` are defaults that the URL's own parameters override; libpq reads a
    // multi-host URL with target_session_attrs=read-write itself, and PQreset reconnects with the same.
    const char* const keywords[] = {"connect_timeout", "dbname", nullptr};
    const char* const values[] = {"5", url.c_str(), nullptr};
    std::unique_ptr<PGconn, ConnCloser> conn(PQconnectdbParams(keywords, values, 1));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
        std::string msg = conn ? PQerrorMessage(conn.get()) : "out of memory";
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        return Fail(StoreError{"connect to postgresql: " + msg, false});
    }
    PgResultPtr res(PQexec(conn.get(), "SET client_min_messages = warning"));
    return std::unique_ptr<SqlConnection>(new PostgresConnection(conn.release()));
}

}  // namespace touchpoint::hub
