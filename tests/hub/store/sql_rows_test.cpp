// Result rows come back typed from both backends (SQLite's storage classes, PostgreSQL's column types), and
// the readers convert where a caller asks for another type. Built into the SQLite and PostgreSQL suites.

#include <gtest/gtest.h>

#include "api_test_support.hpp"
#include "hub/store/sql_backend.hpp"
#include "temp_dir.hpp"

#define TP_CONCAT2(a, b) a##b
#define TP_CONCAT(a, b) TP_CONCAT2(a, b)
#define ROWS_SUITE TP_CONCAT(HUB_SUITE, Rows)

namespace touchpoint::hub::testing {
namespace {

StoreResult<std::unique_ptr<SqlConnection>> openBackend(const touchpoint::testing::TempDir& dir) {
    const auto url = backendStoreUrl();
    if (url.empty()) return openSqlite((dir / "rows.db").string());
    return openPostgres(url);
}

TEST(ROWS_SUITE, CellsComeBackAsTheirColumnsType) {
    touchpoint::testing::TempDir dir;
    auto conn = openBackend(dir);
    ASSERT_TRUE(conn) << conn.error().message;
    auto& c = **conn;
    ASSERT_TRUE(c.script("CREATE TABLE t(i BIGINT, r DOUBLE PRECISION, s TEXT, n BIGINT)"));
    ASSERT_TRUE(c.exec("INSERT INTO t VALUES(?, ?, ?, NULL)", {std::int64_t{9007199254740993}, 2.5, std::string("12")}));
    auto rows = c.query("SELECT i, r, s, n, i > 0 FROM t");
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    const auto& row = rows->rows[0];
    ASSERT_EQ(row.size(), 5u);
    // 2^53 + 1 is exact only as an integer: a double on the way would have lost the 1.
    ASSERT_TRUE(std::holds_alternative<std::int64_t>(row[0]));
    EXPECT_EQ(std::get<std::int64_t>(row[0]), 9007199254740993);
    ASSERT_TRUE(std::holds_alternative<double>(row[1]));
    EXPECT_EQ(std::get<double>(row[1]), 2.5);
    ASSERT_TRUE(std::holds_alternative<std::string>(row[2]));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(row[3]));
    // A comparison is an integer on SQLite and a boolean on PostgreSQL: both read as 1.
    EXPECT_EQ(rows->integer(0, 4), 1);

    // Readers convert: integer as text, text as integer, integer as real; NULL gives the fallback.
    EXPECT_EQ(rows->text(0, 0), "9007199254740993");
    EXPECT_EQ(rows->integer(0, 2), 12);
    EXPECT_EQ(rows->real(0, 0), 9007199254740992.0);
    EXPECT_EQ(rows->integer(0, 1), 2) << "a real read as an integer is truncated";
    EXPECT_EQ(rows->text(0, 1), "2.5");
    EXPECT_TRUE(rows->isNull(0, 3));
    EXPECT_EQ(rows->integer(0, 3, -7), -7);
    EXPECT_EQ(rows->text(0, 3), "");
    EXPECT_FALSE(rows->isNull(0, 0));
}

TEST(ROWS_SUITE, TextThatIsNotANumberReadsAsTheFallback) {
    touchpoint::testing::TempDir dir;
    auto conn = openBackend(dir);
    ASSERT_TRUE(conn) << conn.error().message;
    auto rows = (*conn)->query("SELECT 'abc', '1e999', ''");
    ASSERT_TRUE(rows) << rows.error().message;
    EXPECT_EQ(rows->integer(0, 0, -1), -1);
    EXPECT_EQ(rows->real(0, 0, -1.0), -1.0);
    EXPECT_EQ(rows->real(0, 1, -1.0), -1.0) << "out of range is not infinity";
    EXPECT_EQ(rows->integer(0, 2, -1), -1);
}

}  // namespace
}  // namespace touchpoint::hub::testing
