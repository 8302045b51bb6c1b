#include "hub/hub_fleet.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "spawn.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {

namespace {

std::string tail(const std::string& s) {
    return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
}

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out,
            const std::filesystem::path& err) {
    return touchpoint::testing::spawnWithOutput(argv, {out, err});
}

using touchpoint::testing::readFile;
using touchpoint::testing::waitExit;

std::string firstLine(const std::string& s) {
    const auto eol = s.find_first_of("\r\n");
    return eol == std::string::npos ? s : s.substr(0, eol);
}

/// The init's hub.toml with this process's port and the shared store URL (a TOML basic string).
std::string processConfig(const std::string& base, int port, const std::string& storeUrl,
                          const std::string& extra) {
    std::string escaped;
    for (const char c : storeUrl) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
    }
    std::istringstream lines(base);
    std::string text, line;
    while (std::getline(lines, line)) {
        if (line.rfind("port = ", 0) == 0) line = "port = " + std::to_string(port);
        if (line == "url = \"sqlite://hub.db\"") line = "url = \"" + escaped + "\"";
        text += line + "\n";
    }
    return text + "\n" + extra + "\n";
}

}  // namespace

int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    ::close(fd);
    return port;
}

Result<std::unique_ptr<HubFleet>, std::string> HubFleet::start(Options o) {
    if (!std::filesystem::exists(o.hubExe)) return Fail("no hub executable at " + o.hubExe.string());
    if (o.hubs < 1) return Fail(std::string("a fleet needs at least one hub"));
    std::unique_ptr<HubFleet> fleet(new HubFleet());
    std::string tmpl = (std::filesystem::temp_directory_path() / "touchpoint-hub-fleet-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return Fail(std::string("cannot create a temporary folder"));
    fleet->m_dir = tmpl;
    fleet->m_exe = o.hubExe;
    const auto hubDir = fleet->m_dir / "hub";
    const int init = waitExit(spawn({o.hubExe.string(), "init", "--dir", hubDir.string(), "--port", "0"},
                                    fleet->m_dir / "init.out", fleet->m_dir / "init.err"));
    if (init != 0) return Fail("touchpoint-hub init failed: " + readFile(fleet->m_dir / "init.err"));
    if (o.keysFrom != nullptr) {
        const auto from = o.keysFrom->m_dir / "hub";
        for (const char* f : {"hub-cert.pem", "hub-key.pem", "sealing-secret.key", "sealing-public.key"}) {
            std::error_code ec;
            std::filesystem::copy_file(from / f, hubDir / f,
                                       std::filesystem::copy_options::overwrite_existing, ec);
            if (ec) return Fail(std::string("cannot copy ") + f + ": " + ec.message());
        }
    }
    fleet->m_publicKey = firstLine(readFile(hubDir / "sealing-public.key"));
    const std::string base = readFile(hubDir / "hub.toml");
    for (int i = 0; i < o.hubs; ++i) {
        Hub h;
        h.port = freeLoopbackPort();
        if (h.port == 0) return Fail(std::string("no free loopback port"));
        h.config = hubDir / ("hub-" + std::to_string(i) + ".toml");
        std::ofstream(h.config) << processConfig(base, h.port, o.storeUrl, o.extraToml);
        fleet->m_hubs.push_back(h);
    }
    // One at a time: the first process creates or migrates the schema, the others find it current.
    for (std::size_t i = 0; i < fleet->m_hubs.size(); ++i) {
        if (auto r = fleet->launch(i); !r) return Fail(r.error());
    }
    return fleet;
}

Result<void, std::string> HubFleet::launch(std::size_t i) {
    Hub& h = m_hubs[i];
    ++h.generation;
    ++m_starts;
    h.logFile = m_dir / ("hub-" + std::to_string(i) + "." + std::to_string(h.generation) + ".log");
    h.pid = spawn({m_exe.string(), "--config", h.config.string()}, "/dev/null", h.logFile);
    if (h.pid <= 0) return Fail("cannot start " + m_exe.string());
    // A restart may find its port still held by connections of the killed process for a moment: the hub
    // then exits at start, and is tried again.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
        const std::string text = readFile(h.logFile);
        if (text.find("listening") != std::string::npos) return {};
        if (!running(static_cast<int>(i))) {
            if (text.find("address") != std::string::npos && text.find("in use") != std::string::npos) {
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                h.pid = spawn({m_exe.string(), "--config", h.config.string()}, "/dev/null", h.logFile);
                continue;
            }
            return Fail("hub " + std::to_string(i) + " exited at start: " + tail(text));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return Fail("hub " + std::to_string(i) + " did not start listening: " + tail(readFile(h.logFile)));
}

HubFleet::~HubFleet() {
    for (std::size_t i = 0; i < m_hubs.size(); ++i) kill(static_cast<int>(i));
    std::error_code ec;
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir, ec);
}

Result<std::string, std::string> HubFleet::kioskToken(const std::string& storeId,
                                                      const std::string& kioskId) const {
    const auto out = m_dir / ("token-" + storeId + "-" + kioskId + ".out");
    const auto err = m_dir / "token.err";
    const int code =
        waitExit(spawn({m_exe.string(), "token", "add", "--config", m_hubs.front().config.string(), "--kind",
                        "kiosk", "--store", storeId, "--kiosk", kioskId, "--name", storeId + "/" + kioskId},
                       out, err));
    if (code != 0) return Fail("touchpoint-hub token add failed: " + readFile(err));
    return firstLine(readFile(out));
}

bool HubFleet::running(int i) {
    Hub& h = m_hubs.at(static_cast<std::size_t>(i));
    if (h.pid <= 0) return false;
    int status = 0;
    if (::waitpid(h.pid, &status, WNOHANG) == h.pid) {
        h.pid = -1;
        return false;
    }
    return true;
}

void HubFleet::kill(int i) {
    Hub& h = m_hubs.at(static_cast<std::size_t>(i));
    if (h.pid <= 0) return;
    ::kill(h.pid, SIGKILL);
    waitExit(h.pid);
    h.pid = -1;
}

Result<void, std::string> HubFleet::restart(int i) {
    kill(i);
    return launch(static_cast<std::size_t>(i));
}

std::string HubFleet::log(int i) const {
    return readFile(m_hubs.at(static_cast<std::size_t>(i)).logFile);
}

}  // namespace touchpoint::hub
