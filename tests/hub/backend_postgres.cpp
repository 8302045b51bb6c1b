// Each test process starts its own throw-away PostgreSQL cluster (Debian's initdb + pg_ctl, unix socket in a
// temp dir, run as the postgres user when we are root) and removes it at exit.

#include <unistd.h>

#include <atomic>

#include "api_test_support.hpp"
#include "hub/pg_cluster.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub::testing {

namespace {

class PostgresEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        auto pg = TempPostgres::start();
        ASSERT_TRUE(pg.ok()) << (pg.ok() ? "" : pg.error());
        s_cluster = std::make_unique<TempPostgres>(std::move(pg).value());
    }
    void TearDown() override { s_cluster.reset(); }
    static std::unique_ptr<TempPostgres> s_cluster;
};
std::unique_ptr<TempPostgres> PostgresEnvironment::s_cluster;

[[maybe_unused]] auto* const g_environment = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace

std::string backendStoreUrl() {
    static std::atomic<int> counter{0};
    if (!PostgresEnvironment::s_cluster) return "postgresql:///missing-cluster";
    auto url = PostgresEnvironment::s_cluster->createDatabase("hub_" + std::to_string(::getpid()) + "_" +
                                                              std::to_string(counter++));
    EXPECT_TRUE(url.ok()) << (url.ok() ? "" : url.error());
    return url.ok() ? *url : "postgresql:///missing-database";
}

TempPostgres* backendCluster() { return PostgresEnvironment::s_cluster.get(); }

namespace {
void runSql(EphemeralHub& hub, const char* sql) {
    auto c = openPostgres(hub.server().context().config.storeUrl);
    ASSERT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    auto r = (*c)->script(sql);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
}
}  // namespace

void breakStoreWrites(EphemeralHub& hub) { runSql(hub, "ALTER TABLE events RENAME TO events_away"); }
void restoreStoreWrites(EphemeralHub& hub) { runSql(hub, "ALTER TABLE events_away RENAME TO events"); }
void refuseAuditRows(EphemeralHub& hub) {
    runSql(hub, "CREATE FUNCTION audit_refused() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$ BEGIN RAISE EXCEPTION 'audit refused'; END $$; "
                      "CREATE TRIGGER audit_refused BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_refused()");
}
void allowAuditRows(EphemeralHub& hub) {
    runSql(hub, "DROP TRIGGER audit_refused ON audit; DROP FUNCTION audit_refused()");
}

}  // namespace touchpoint::hub::testing
