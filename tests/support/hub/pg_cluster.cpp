#include "hub/pg_cluster.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "spawn.hpp"


namespace touchpoint::hub {

namespace {

constexpr int kPort = 5432;  // only names the socket file inside our own directory

/// Runs argv (as the postgres user when we are root), output appended to `logFile`; returns the exit code.
int run(std::vector<std::string> argv, const std::filesystem::path& logFile) {
    if (::geteuid() == 0) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    return touchpoint::testing::runWithOutput(argv, {logFile, {}, /*append=*/true});
}

std::string tail(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto s = ss.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

Result<TempPostgres, std::string> TempPostgres::start() {
    char templ[] = "/tmp/touchpoint-pg-XXXXXX";
    if (!::mkdtemp(templ)) return Fail(std::string("mkdtemp failed"));
    TempPostgres pg;
    pg.m_dir = templ;
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw) return Fail(std::string("running as root and there is no postgres user to run PostgreSQL as"));
        if (::chown(templ, pw->pw_uid, pw->pw_gid) != 0) return Fail(std::string("chown of the cluster dir failed"));
    }
    const auto log = pg.m_dir / "setup.log";
    const std::string bin = kPostgresBinDir;
    if (run({bin + "/initdb", "-D", (pg.m_dir / "data").string(), "-A", "trust", "-U", "postgres", "--no-sync",
             "-E", "UTF8", "--locale=C"},
            log) != 0) {
        return Fail("initdb failed: " + tail(log));
    }
    if (auto r = pg.restart(); !r) return Fail(r.error());
    return pg;
}

Result<void, std::string> TempPostgres::restart() {
    const auto log = m_dir / "setup.log";
    const std::string opts = "-p " + std::to_string(kPort) + " -k " + m_dir.string() +
                             " -c listen_addresses='' -c fsync=on -c max_connections=50";
    if (run({std::string(kPostgresBinDir) + "/pg_ctl", "-D", (m_dir / "data").string(), "-l",
             (m_dir / "server.log").string(), "-o", opts, "-w", "-t", "60", "start"},
            log) != 0) {
        return Fail("pg_ctl start failed: " + tail(log) + tail(m_dir / "server.log"));
    }
    m_running = true;
    return {};
}

void TempPostgres::kill() {
    if (!m_running) return;
    m_running = false;
    run({std::string(kPostgresBinDir) + "/pg_ctl", "-D", (m_dir / "data").string(), "-m", "immediate", "-w", "stop"},
        m_dir / "setup.log");
}

TempPostgres::~TempPostgres() {
    stop();
    if (!m_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
}

void TempPostgres::stop() {
    if (!m_running) return;
    m_running = false;
    run({std::string(kPostgresBinDir) + "/pg_ctl", "-D", (m_dir / "data").string(), "-m", "fast", "-w", "stop"},
        m_dir / "setup.log");
}

std::string TempPostgres::url() const {
    return "postgresql:///postgres?host=" + m_dir.string() + "&port=" + std::to_string(kPort) + "&user=postgres";
}

Result<std::string, std::string> TempPostgres::createDatabase(const std::string& name) const {
    const auto log = m_dir / "setup.log";
    if (run({std::string(kPostgresBinDir) + "/createdb", "-h", m_dir.string(), "-p", std::to_string(kPort), "-U",
             "postgres", name},
            log) != 0) {
        return Fail("createdb " + name + " failed: " + tail(log));
    }
    return "postgresql:///" + name + "?host=" + m_dir.string() + "&port=" + std::to_string(kPort) + "&user=postgres";
}

}  // namespace touchpoint::hub
