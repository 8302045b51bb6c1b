#include "hub/haproxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "hub/hub_fleet.hpp"
#include "spawn.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {

namespace {

pid_t spawnHaproxy(const std::vector<std::string>& args, const std::filesystem::path& log) {
    std::vector<std::string> argv{kHaproxyExe};
    argv.insert(argv.end(), args.begin(), args.end());
    return touchpoint::testing::spawnWithOutput(argv, {log, {}, /*append=*/true});
}

bool accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

std::string Haproxy::configText(const Options& o, int port, const std::filesystem::path& pemFile) {
    std::ostringstream c;
    c << "# Generated for a test: HAProxy on 127.0.0.1:" << port << " in front of " << o.hubPorts.size()
      << " touchpoint-hub processes.\n"
         "global\n"
         "    maxconn 4096\n"
         "    log stderr format raw local0 notice\n"
         "    ssl-default-bind-options ssl-min-ver TLSv1.2\n"
         "    ssl-default-server-options ssl-min-ver TLSv1.2\n"
         "\n"
         "defaults\n"
         "    mode http\n"
         "    log global\n"
         "    option httplog\n"
         "    timeout connect 2s\n"
         "    timeout client 65s\n"
         "    timeout http-request 15s\n"
         "    timeout http-keep-alive 60s\n"
         "    # Longer than the hub's own store timeouts: a hub that is waiting out a database failover "
         "answers\n"
         "    # 503 + Retry-After itself, which is passed on.\n"
         "    timeout server 60s\n"
         "    # A request that never reached a hub (connection refused: the hub is gone) goes to another "
         "one.\n"
         "    # Retrying one that did reach a hub is also safe (the hub deduplicates on messageId), but only "
         "a\n"
         "    # request that fits HAProxy's buffer can be replayed, so this is left to the kiosk's "
         "uploader.\n"
         "    retries 3\n"
         "    option redispatch 1\n"
         "    retry-on conn-failure empty-response\n"
         "    option forwardfor\n"
         "\n"
         "frontend hub_https\n"
         "    bind 127.0.0.1:"
      << port << " ssl crt " << pemFile.string()
      << " alpn http/1.1\n"
         "    default_backend hubs\n"
         "\n"
         "backend hubs\n"
         "    balance leastconn\n"
         "    option httpchk GET /healthz\n"
         "    http-check expect status 200\n"
         "    default-server check inter 500ms fall 2 rise 1 ssl verify required ca-file "
      << o.hubCaFile.string() << "\n";
    for (std::size_t i = 0; i < o.hubPorts.size(); ++i) {
        c << "    server hub" << i << " 127.0.0.1:" << o.hubPorts[i] << "\n";
    }
    return c.str();
}

Result<std::unique_ptr<Haproxy>, std::string> Haproxy::start(const Options& o) {
    if (!std::filesystem::exists(kHaproxyExe))
        return Fail(std::string("no ") + kHaproxyExe + " (apt-get install haproxy)");
    std::unique_ptr<Haproxy> h(new Haproxy());
    std::string tmpl = (std::filesystem::temp_directory_path() / "touchpoint-haproxy-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return Fail(std::string("cannot create a temporary folder"));
    h->m_dir = tmpl;
    h->m_port = freeLoopbackPort();
    if (h->m_port == 0) return Fail(std::string("no free loopback port"));
    const auto pem = h->m_dir / "frontend.pem";
    {
        std::ofstream out(pem, std::ios::binary);
        out << touchpoint::testing::readFile(o.certFile) << "\n" << touchpoint::testing::readFile(o.keyFile);
    }
    ::chmod(pem.c_str(), 0600);
    const auto cfg = h->m_dir / "haproxy.cfg";
    std::ofstream(cfg) << configText(o, h->m_port, pem);
    const auto log = h->m_dir / "haproxy.log";
    const pid_t check = spawnHaproxy({"-c", "-q", "-f", cfg.string()}, log);
    int status = 0;
    if (check <= 0 || ::waitpid(check, &status, 0) != check || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        return Fail("haproxy -c refused the config: " + touchpoint::testing::readFile(log) + "\n" + h->config());
    }
    // -db: stay in the foreground as our child (no daemon, no master process), so SIGKILL ends it.
    h->m_pid = spawnHaproxy({"-db", "-f", cfg.string()}, log);
    if (h->m_pid <= 0) return Fail(std::string("cannot start haproxy"));
    for (int i = 0; i < 400; ++i) {
        if (accepts(h->m_port)) return h;
        if (!h->running()) return Fail("haproxy exited at start: " + h->log());
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return Fail("haproxy does not accept connections on port " + std::to_string(h->m_port) + ": " + h->log());
}

Haproxy::~Haproxy() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    std::error_code ec;
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir, ec);
}

std::string Haproxy::config() const {
    return touchpoint::testing::readFile(m_dir / "haproxy.cfg");
}
std::string Haproxy::log() const {
    return touchpoint::testing::readFile(m_dir / "haproxy.log");
}

bool Haproxy::running() {
    if (m_pid <= 0) return false;
    if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
        m_pid = -1;
        return false;
    }
    return true;
}

}  // namespace touchpoint::hub
