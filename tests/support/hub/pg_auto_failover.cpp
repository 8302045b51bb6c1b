#include "hub/pg_auto_failover.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "hub/hub_fleet.hpp"
#include "hub/pg_cluster.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {

namespace {

std::string tail(const std::string& s) {
    return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

const std::string kBin = kPostgresBinDir;

}  // namespace

pid_t PgAutoFailover::runInBackground(const std::vector<std::string>& argv,
                                      const std::filesystem::path& log) const {
    // Everything the child needs is made before fork(): after it only async-signal-safe calls are allowed.
    std::vector<std::string> env{"PATH=" + kBin + ":/usr/bin:/bin",
                                 "HOME=" + m_dir.string(),
                                 "XDG_CONFIG_HOME=" + (m_dir / "config").string(),
                                 "XDG_DATA_HOME=" + (m_dir / "share").string(),
                                 "XDG_RUNTIME_DIR=" + (m_dir / "run").string(),
                                 "PG_CONFIG=" + kBin + "/pg_config",
                                 "LANG=C.UTF-8"};
    std::vector<char*> envp, args;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> copy = argv;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    const bool root = ::geteuid() == 0;
    uid_t uid = 0;
    gid_t gid = 0;
    if (root) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw) return -1;
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0) return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();  // its own process group: killNode() ends the keeper and its postgres together
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        if (root && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    ::close(out);
    return pid;
}

int PgAutoFailover::runAndWait(const std::vector<std::string>& argv, const std::filesystem::path& log) const {
    const pid_t pid = runInBackground(argv, log);
    if (pid <= 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Result<std::string, std::string> PgAutoFailover::psql(int port, const std::string& database,
                                                      const std::string& sql) const {
    static std::atomic<int> calls{0};
    const auto out = m_dir / ("psql-" + std::to_string(calls.fetch_add(1)) + ".out");
    const int code = runAndWait({kBin + "/psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                 "-p", std::to_string(port), "-U", "postgres", "-d", database, "-c", sql},
                                out);
    std::string text = touchpoint::testing::readFile(out);
    std::error_code ec;
    std::filesystem::remove(out, ec);
    if (code != 0) return Fail("psql on port " + std::to_string(port) + ": " + trimmed(text));
    return trimmed(text);
}

Result<std::unique_ptr<PgAutoFailover>, std::string> PgAutoFailover::start() {
    if (!std::filesystem::exists("/usr/bin/pg_autoctl")) {
        return Fail(std::string(
            "no /usr/bin/pg_autoctl (apt-get install pg-auto-failover-cli postgresql-15-auto-failover)"));
    }
    std::unique_ptr<PgAutoFailover> c(new PgAutoFailover());
    char templ[] = "/tmp/touchpoint-pgaf-XXXXXX";
    if (!::mkdtemp(templ)) return Fail(std::string("mkdtemp failed"));
    c->m_dir = templ;
    for (const char* sub : {"config", "share", "run"}) std::filesystem::create_directories(c->m_dir / sub);
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw)
            return Fail(std::string("running as root and there is no postgres user to run PostgreSQL as"));
        for (const auto& p : std::filesystem::recursive_directory_iterator(c->m_dir)) {
            if (::chown(p.path().c_str(), pw->pw_uid, pw->pw_gid) != 0)
                return Fail(std::string("chown failed"));
        }
        if (::chown(templ, pw->pw_uid, pw->pw_gid) != 0)
            return Fail(std::string("chown of the cluster dir failed"));
    }
    c->m_monitor = {"monitor", c->m_dir / "monitor", c->m_dir / "monitor.log", freeLoopbackPort(), -1};
    for (int i = 0; i < kNodes; ++i) {
        const std::string name = "node_" + std::to_string(i);
        c->m_nodes.push_back({name, c->m_dir / name, c->m_dir / (name + ".log"), freeLoopbackPort(), -1});
    }
    if (auto r = c->createNode(c->m_monitor, true); !r) return Fail(r.error());
    // Seconds, not the defaults' tens of seconds: checks every second, a node unhealthy after 3 s without
    // an answer, and a primary that cannot be reached presumed demoted after 5 s.
    for (const char* setting :
         {"pgautofailover.health_check_period = 1000", "pgautofailover.health_check_timeout = 1000",
          "pgautofailover.health_check_max_retries = 1", "pgautofailover.health_check_retry_delay = 500",
          "pgautofailover.node_considered_unhealthy_timeout = 3000",
          "pgautofailover.primary_demote_timeout = 5000"}) {
        if (auto r =
                c->psql(c->m_monitor.port, "pg_auto_failover", std::string("ALTER SYSTEM SET ") + setting);
            !r) {
            return Fail(r.error());
        }
    }
    if (auto r = c->psql(c->m_monitor.port, "pg_auto_failover", "SELECT pg_reload_conf()"); !r)
        return Fail(r.error());
    if (auto r = c->createNode(c->m_nodes[0], false); !r) return Fail(r.error());
    if (!c->waitForState(0, {"single", "primary", "wait_primary"}, std::chrono::seconds(60))) {
        return Fail("node_0 did not become primary: " + c->showState() + "\n" + c->log(0));
    }
    if (auto r = c->createNode(c->m_nodes[1], false); !r) return Fail(r.error());
    if (!c->waitForState(1, {"secondary"}, std::chrono::seconds(90)) ||
        !c->waitForState(0, {"primary"}, std::chrono::seconds(30))) {
        return Fail("node_1 did not become a synchronous standby: " + c->showState() + "\n" + c->log(1));
    }
    return c;
}

Result<void, std::string> PgAutoFailover::createNode(Node& node, bool monitor) {
    const std::string pgctl = kBin + "/pg_ctl";
    const std::string port = std::to_string(node.port);
    if (monitor) {
        const int code = runAndWait(
            {"/usr/bin/pg_autoctl", "create", "monitor", "--pgdata", node.data.string(), "--pgport", port,
             "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--pgctl", pgctl},
            node.logFile);
        if (code != 0) return Fail("pg_autoctl create monitor failed: " + tail(touchpoint::testing::readFile(node.logFile)));
        // The monitor has no --listen: keep it on loopback through its config.
        if (runAndWait({"/usr/bin/pg_autoctl", "config", "set", "--pgdata", node.data.string(),
                        "postgresql.listen_addresses", "127.0.0.1"},
                       node.logFile) != 0) {
            return Fail("pg_autoctl config set failed: " + tail(touchpoint::testing::readFile(node.logFile)));
        }
        node.pid =
            runInBackground({"/usr/bin/pg_autoctl", "run", "--pgdata", node.data.string()}, node.logFile);
        for (int i = 0; i < 600; ++i) {
            if (psql(node.port, "pg_auto_failover", "SELECT 1")) return {};
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return Fail("the monitor did not accept connections: " + tail(touchpoint::testing::readFile(node.logFile)));
    }
    node.pid = runInBackground({"/usr/bin/pg_autoctl",
                                "create",
                                "postgres",
                                "--pgdata",
                                node.data.string(),
                                "--pgport",
                                port,
                                "--listen",
                                "127.0.0.1",
                                "--hostname",
                                "127.0.0.1",
                                "--name",
                                node.name,
                                "--auth",
                                "trust",
                                "--no-ssl",
                                "--pgctl",
                                pgctl,
                                "--monitor",
                                "postgres://autoctl_node@127.0.0.1:" + std::to_string(m_monitor.port) +
                                    "/pg_auto_failover?sslmode=disable",
                                "--run"},
                               node.logFile);
    if (node.pid <= 0) return Fail("cannot start pg_autoctl for " + node.name);
    return {};
}

PgAutoFailover::~PgAutoFailover() {
    for (auto& n : m_nodes) killGroup(n);
    killGroup(m_monitor);
    std::error_code ec;
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir, ec);
}

void PgAutoFailover::killGroup(Node& node) {
    if (node.pid > 0) {
        ::kill(-node.pid, SIGKILL);
        ::waitpid(node.pid, nullptr, 0);
        node.pid = -1;
    }
    // The postmaster may have been started in a group of its own by pg_ctl: kill it by its pid file too.
    std::ifstream pidFile(node.data / "postmaster.pid");
    long postmaster = 0;
    if (pidFile >> postmaster && postmaster > 1) ::kill(static_cast<pid_t>(postmaster), SIGKILL);
}

void PgAutoFailover::killNode(int node) {
    killGroup(m_nodes.at(static_cast<std::size_t>(node)));
}

Result<void, std::string> PgAutoFailover::restartNode(int node) {
    Node& n = m_nodes.at(static_cast<std::size_t>(node));
    killGroup(n);
    n.pid = runInBackground({"/usr/bin/pg_autoctl", "run", "--pgdata", n.data.string()}, n.logFile);
    if (n.pid <= 0) return Fail("cannot start pg_autoctl for " + n.name);
    return {};
}

std::string PgAutoFailover::url(const std::string& database) const {
    std::string hosts;
    for (const auto& n : m_nodes)
        hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(n.port);
    return "postgresql://postgres@" + hosts + "/" + database +
           "?target_session_attrs=read-write&connect_timeout=2";
}

Result<std::string, std::string> PgAutoFailover::createDatabase(const std::string& name) {
    const auto primary = writableNode();
    if (!primary) return Fail("no writable node: " + showState());
    if (auto r = psql(port(*primary), "postgres", "CREATE DATABASE " + name); !r) return Fail(r.error());
    return url(name);
}

std::optional<int> PgAutoFailover::writableNode() const {
    for (int i = 0; i < kNodes; ++i) {
        auto r = psql(port(i), "postgres", "SELECT pg_is_in_recovery()");
        if (r && *r == "f") return i;
    }
    return std::nullopt;
}

bool PgAutoFailover::reports(int node, const std::string& state) const {
    auto r = psql(m_monitor.port, "pg_auto_failover",
                  "SELECT reportedstate FROM pgautofailover.node WHERE nodename = '" +
                      m_nodes.at(static_cast<std::size_t>(node)).name + "'");
    return r && *r == state;
}

bool PgAutoFailover::waitForState(int node, const std::vector<std::string>& states,
                                  std::chrono::seconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        for (const auto& s : states) {
            if (reports(node, s)) return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
}

std::string PgAutoFailover::showState() const {
    auto r =
        psql(m_monitor.port, "pg_auto_failover",
             "SELECT nodename || ' ' || nodeport || ' reported=' || reportedstate || ' goal=' || goalstate "
             "FROM pgautofailover.node ORDER BY nodeid");
    return r ? *r : r.error();
}

std::string PgAutoFailover::log(int node) const {
    return tail(touchpoint::testing::readFile(m_nodes.at(static_cast<std::size_t>(node)).logFile));
}

}  // namespace touchpoint::hub
