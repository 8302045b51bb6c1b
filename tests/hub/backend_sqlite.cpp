#include <sqlite3.h>

#include "api_test_support.hpp"

namespace touchpoint::hub::testing {

std::string backendStoreUrl() { return ""; }

namespace {
void runSql(EphemeralHub& hub, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((hub.dir() / "hub.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}
}  // namespace

void breakStoreWrites(EphemeralHub& hub) { runSql(hub, "ALTER TABLE events RENAME TO events_away"); }
void restoreStoreWrites(EphemeralHub& hub) { runSql(hub, "ALTER TABLE events_away RENAME TO events"); }
void refuseAuditRows(EphemeralHub& hub) {
    runSql(hub, "CREATE TRIGGER audit_refused BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END");
}
void allowAuditRows(EphemeralHub& hub) { runSql(hub, "DROP TRIGGER audit_refused"); }

}  // namespace touchpoint::hub::testing
