// Published kiosk configuration in SQL (the same statements on SQLite and PostgreSQL): documents, their
// assignments and store regions (sql_schema.cpp, kFleetConfigVersion).

#include "hub/store/sql_fleet_config_store.hpp"

namespace touchpoint::hub {

namespace {

constexpr const char* kDocumentColumns =
    "id, name, revision, survey_id, survey_version, created_ms, created_by";

ConfigDocumentRecord documentAt(const SqlRows& r, std::size_t i) {
    return {r.integer(i, 0), r.text(i, 1),    r.integer(i, 2), r.text(i, 3),
            r.integer(i, 4), r.integer(i, 5), r.text(i, 6),    {}};
}

StoreResult<std::int64_t> insertAssignment(SqlConnection& c, std::int64_t documentId, const NewAssignment& a,
                                           const std::string& createdBy, std::int64_t nowMs) {
    auto seq = c.query(
        "INSERT INTO config_assignments(scope_kind, scope_value, document_id, starts_ms, created_ms, "
        "created_by) VALUES(?,?,?,?,?,?) RETURNING seq",
        {std::string(fleet::toString(a.scope.kind)), a.scope.value, documentId, a.startsMs, nowMs,
         createdBy});
    if (!seq) return Fail(seq.error());
    if (seq->empty()) return Fail(StoreError{"assignment not stored", false});
    return seq->integer(0, 0);
}

}  // namespace

StoreResult<ConfigDocumentRecord> SqlFleetConfigStore::publish(
    const std::string& name, const std::string& surveyId, const std::string& createdBy, std::int64_t nowMs,
    const std::function<PreparedRevision(const PublishFacts&)>& prepare,
    const std::optional<NewAssignment>& assign) {
    ConfigDocumentRecord out;
    auto r = m_writes.write([&](SqlConnection& c) -> StoreResult<void> {
        // Two publishes of one name at once: the second's insert meets UNIQUE(name, revision), the strategy
        // runs it again, and it reads the first one's revision.
        auto latest = c.query(
            "SELECT revision, body FROM config_documents WHERE name = ? ORDER BY revision DESC LIMIT 1",
            {name});
        if (!latest) return Fail(latest.error());
        auto highest =
            c.query("SELECT MAX(survey_version) FROM config_documents WHERE survey_id = ?", {surveyId});
        if (!highest) return Fail(highest.error());
        PublishFacts facts;
        if (!latest->empty()) facts.previousBody = latest->text(0, 1);
        facts.highestSurveyVersion = highest->isNull(0, 0) ? 0 : highest->integer(0, 0);
        const std::int64_t revision = latest->empty() ? 1 : latest->integer(0, 0) + 1;
        PreparedRevision prepared = prepare(facts);
        auto id = c.query(
            "INSERT INTO config_documents(name, revision, body, survey_id, survey_version, created_ms, "
            "created_by) VALUES(?,?,?,?,?,?,?) RETURNING id",
            {name, revision, std::string_view(prepared.body), surveyId, prepared.surveyVersion, nowMs,
             createdBy});
        if (!id) return Fail(id.error());
        if (id->empty()) return Fail(StoreError{"document not stored", false});
        out = {id->integer(0, 0), name, revision, surveyId, prepared.surveyVersion, nowMs, createdBy, {}};
        if (assign) {
            auto seq = insertAssignment(c, out.id, *assign, createdBy, nowMs);
            if (!seq) return Fail(seq.error());
        }
        return {};
    });
    if (!r) return Fail(r.error());
    return out;
}

StoreResult<std::vector<ConfigDocumentRecord>> SqlFleetConfigStore::documents(const std::string& name) {
    auto lease = m_pool.acquire();
    auto rows = name.empty() ? lease->query(std::string("SELECT ") + kDocumentColumns +
                                            " FROM config_documents ORDER BY id DESC")
                             : lease->query(std::string("SELECT ") + kDocumentColumns +
                                                " FROM config_documents WHERE name = ? ORDER BY id DESC",
                                            {name});
    if (!rows) return Fail(rows.error());
    std::vector<ConfigDocumentRecord> out;
    out.reserve(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) out.push_back(documentAt(*rows, i));
    return out;
}

StoreResult<std::optional<ConfigDocumentRecord>> SqlFleetConfigStore::document(std::int64_t id) {
    auto lease = m_pool.acquire();
    auto rows = lease->query(
        std::string("SELECT ") + kDocumentColumns + ", body FROM config_documents WHERE id = ?", {id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<ConfigDocumentRecord>();
    auto record = documentAt(*rows, 0);
    record.body = rows->text(0, 7);
    return std::optional<ConfigDocumentRecord>(std::move(record));
}

StoreResult<std::optional<std::int64_t>> SqlFleetConfigStore::assign(std::int64_t documentId,
                                                                     const NewAssignment& assignment,
                                                                     const std::string& createdBy,
                                                                     std::int64_t nowMs) {
    std::optional<std::int64_t> out;
    auto r = m_writes.write([&](SqlConnection& c) -> StoreResult<void> {
        out.reset();
        auto exists = c.query("SELECT 1 FROM config_documents WHERE id = ?", {documentId});
        if (!exists) return Fail(exists.error());
        if (exists->empty()) return {};
        auto seq = insertAssignment(c, documentId, assignment, createdBy, nowMs);
        if (!seq) return Fail(seq.error());
        out = *seq;
        return {};
    });
    if (!r) return Fail(r.error());
    return out;
}

StoreResult<fleet::AssignmentSet> SqlFleetConfigStore::assignments() {
    auto lease = m_pool.acquire();
    auto rows = lease->query(
        "SELECT seq, scope_kind, scope_value, document_id, starts_ms, created_ms, created_by "
        "FROM config_assignments ORDER BY seq");
    if (!rows) return Fail(rows.error());
    fleet::AssignmentSet out;
    out.assignments.reserve(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const auto kind = fleet::scopeKindNamed(rows->text(i, 1));
        if (!kind) continue;  // written by this code only; anything else is not an assignment
        out.assignments.push_back({rows->integer(i, 0),
                                   {*kind, rows->text(i, 2)},
                                   rows->integer(i, 3),
                                   rows->integer(i, 4),
                                   rows->integer(i, 5),
                                   rows->text(i, 6)});
    }
    auto regions = lease->query("SELECT store_id, region FROM store_regions");
    if (!regions) return Fail(regions.error());
    for (std::size_t i = 0; i < regions->size(); ++i)
        out.regionOfStore[regions->text(i, 0)] = regions->text(i, 1);
    return out;
}

StoreResult<void> SqlFleetConfigStore::setRegion(const std::string& storeId, const std::string& region) {
    return m_writes.write([&](SqlConnection& c) -> StoreResult<void> {
        auto r = region.empty() ? c.exec("DELETE FROM store_regions WHERE store_id = ?", {storeId})
                                : c.exec(
                                      "INSERT INTO store_regions(store_id, region) VALUES(?,?) ON "
                                      "CONFLICT(store_id) DO UPDATE "
                                      "SET region = excluded.region",
                                      {storeId, region});
        if (!r) return Fail(r.error());
        return {};
    });
}

}  // namespace touchpoint::hub
