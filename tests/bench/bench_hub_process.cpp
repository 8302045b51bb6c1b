#include "bench_hub_process.hpp"

#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "hub_process.hpp"
#include "raw_tls_client.hpp"
#include "temp_dir.hpp"

namespace touchpoint::bench {

namespace {

std::string firstLine(std::string s) {
    const auto eol = s.find_first_of("\r\n");
    return eol == std::string::npos ? s : s.substr(0, eol);
}

}  // namespace

std::unique_ptr<HubProcess> HubProcess::start(const std::filesystem::path& exe, const std::string& extraToml) {
    if (!std::filesystem::exists(exe)) throw std::runtime_error("no hub executable at " + exe.string() + " (--hub PATH)");
    std::unique_ptr<HubProcess> hub(new HubProcess());
    std::string tmpl = (std::filesystem::temp_directory_path() / "touchpoint-bench-hub-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder");
    hub->m_dir = tmpl;
    hub->m_exe = exe;
    const auto hubDir = hub->m_dir / "hub";
    const auto initOut = hub->m_dir / "init.out";
    const int init = hub::testing::waitExit(hub::testing::spawnProgram(
        exe.string(), {"init", "--dir", hubDir.string(), "--port", "0", "--store", "store-flood", "--kiosk", "kiosk-flood"},
        initOut, hub->m_dir / "init.err"));
    if (init != 0) throw std::runtime_error("touchpoint-hub init failed: " + touchpoint::testing::readFile(hub->m_dir / "init.err"));
    // `init` prints the first kiosk token on stdout.
    const std::string out = touchpoint::testing::readFile(initOut);
    const auto at = out.find("token = \"tpk_");
    if (at == std::string::npos) throw std::runtime_error("touchpoint-hub init printed no kiosk token");
    const auto end = out.find('"', at + 9);
    hub->m_token = out.substr(at + 9, end - (at + 9));
    hub->m_publicKey = firstLine(touchpoint::testing::readFile(hubDir / "sealing-public.key"));
    std::ofstream(hubDir / "hub.toml", std::ios::app) << "\n" << extraToml << "\n";

    const auto log = hub->m_dir / "hub.log";
    hub->m_pid = hub::testing::spawnProgram(exe.string(), {"--config", (hubDir / "hub.toml").string()}, "/dev/null", log);
    if (hub->m_pid <= 0) throw std::runtime_error("cannot start " + exe.string());
    for (int i = 0; i < 400 && hub->m_port == 0; ++i) {
        const auto text = touchpoint::testing::readFile(log);
        const auto p = text.find(" port=");
        if (p != std::string::npos && text.find("listening") != std::string::npos) {
            hub->m_port = std::atoi(text.c_str() + p + 6);
        } else if (!hub->running()) {
            throw std::runtime_error("the hub exited at start: " + text);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    if (hub->m_port == 0) throw std::runtime_error("the hub did not start listening: " + touchpoint::testing::readFile(log));
    return hub;
}

std::string HubProcess::kioskToken(const std::string& storeId, const std::string& kioskId) const {
    const auto out = m_dir / ("token-" + kioskId + ".out");
    const int code = hub::testing::waitExit(hub::testing::spawnProgram(
        m_exe.string(),
        {"token", "add", "--config", (m_dir / "hub" / "hub.toml").string(), "--kind", "kiosk", "--store", storeId,
         "--kiosk", kioskId, "--name", storeId + "/" + kioskId},
        out, m_dir / "token.err"));
    if (code != 0) throw std::runtime_error("touchpoint-hub token add failed: " + touchpoint::testing::readFile(m_dir / "token.err"));
    return firstLine(touchpoint::testing::readFile(out));
}

HubProcess::WriterFigures HubProcess::writerFigures() {
    if (m_metricsToken.empty()) {
        const auto out = m_dir / "token-metrics.out";
        const int code = hub::testing::waitExit(hub::testing::spawnProgram(
            m_exe.string(),
            {"token", "add", "--config", (m_dir / "hub" / "hub.toml").string(), "--kind", "head-office",
             "--role", "analyst", "--name", "bench-metrics"},
            out, m_dir / "token.err"));
        if (code != 0) return {};
        m_metricsToken = firstLine(touchpoint::testing::readFile(out));
    }
    httplib::SSLClient c("127.0.0.1", m_port);
    c.set_ca_cert_path(caFile().c_str());
    c.enable_server_certificate_verification(true);
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(5, 0);
    auto r = c.Get("/metrics", {{"Authorization", "Bearer " + m_metricsToken}});
    if (!r || r->status != 200) return {};
    auto value = [&](const std::string& name) {
        const auto at = r->body.find("\n" + name + " ");
        return at == std::string::npos ? -1.0 : std::atof(r->body.c_str() + at + name.size() + 2);
    };
    return {value("touchpoint_hub_store_writer_busy_seconds_total"),
            value("touchpoint_hub_store_writer_cpu_seconds_total"),
            value("touchpoint_hub_store_writer_transactions_total")};
}

HubProcess::~HubProcess() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    std::error_code ec;
    if (!m_dir.empty()) std::filesystem::remove_all(m_dir, ec);
}

long HubProcess::residentKiB() const { return hub::testing::residentKiB(m_pid); }

double HubProcess::cpuSeconds() const {
    // /proc/PID/stat: after the command name in parentheses, utime and stime are fields 14 and 15.
    const std::string stat = touchpoint::testing::readFile("/proc/" + std::to_string(m_pid) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string HubProcess::log() const { return touchpoint::testing::readFile(m_dir / "hub.log"); }

bool HubProcess::running() {
    if (m_pid <= 0) return false;
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        const std::string text = log();
        std::fprintf(stderr, "touchpoint-hub exited on its own (%s %d); the end of its log:\n%s\n",
                     WIFEXITED(status) ? "exit status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                     text.substr(text.size() > 4000 ? text.size() - 4000 : 0).c_str());
        return false;
    }
    return true;
}

int HubProcess::stop() {
    if (m_pid <= 0) return -1;
    ::kill(m_pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return 128 + SIGKILL;
}

std::filesystem::path hubExecutable(const std::string& override) {
    return override.empty() ? std::filesystem::path(TOUCHPOINT_HUB_EXE) : std::filesystem::path(override);
}

long raiseOpenFileLimit() {
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return -1;
    if (l.rlim_cur != l.rlim_max) {
        l.rlim_cur = l.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &l) != 0) ::getrlimit(RLIMIT_NOFILE, &l);
    }
    return l.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long>(l.rlim_cur);
}

double healthzMillis(const HubProcess& hub) {
    const auto t0 = std::chrono::steady_clock::now();
    httplib::SSLClient c("127.0.0.1", hub.port());
    c.set_ca_cert_path(hub.caFile().c_str());
    c.enable_server_certificate_verification(true);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(2, 0);
    auto r = c.Get("/healthz");
    if (!r || r->status != 200) return -1;
    return secondsSince(t0) * 1000.0;
}

double quantile(std::vector<double>& values, double q) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()))) ;
    return values[std::min(values.size() - 1, i == 0 ? 0 : i - 1)];
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double processCpuSeconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return sec(u.ru_utime) + sec(u.ru_stime);
}

double loadAverage1m() {
    double load[1] = {0};
    return ::getloadavg(load, 1) == 1 ? load[0] : -1.0;
}

int report(nlohmann::json figures, const std::string& hubLimits, bool complete, bool json,
           const std::function<void()>& text) {
    figures["hubLimits"] = hubLimits;
    figures["loadAverage1m"] = loadAverage1m();
    figures["complete"] = complete;
    if (json) {
        std::printf("%s\n", figures.dump(2).c_str());
    } else {
        text();
        std::printf("bench hub config (not the defaults): %s", hubLimits.c_str());
    }
    return complete ? 0 : 1;
}

}  // namespace touchpoint::bench
