#include "common/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace touchpoint::log {

namespace {
Level levelFromEnv() {
    const char* env = std::getenv("TOUCHPOINT_LOG_LEVEL");
    if (env == nullptr) return Level::Info;
    if (std::strcmp(env, "debug") == 0) return Level::Debug;
    if (std::strcmp(env, "warn") == 0) return Level::Warn;
    if (std::strcmp(env, "error") == 0) return Level::Error;
    return Level::Info;
}
std::atomic<int>& currentLevel() {
    static std::atomic<int> level{static_cast<int>(levelFromEnv())};
    return level;
}
std::string_view name(Level l) {
    switch (l) {
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warn: return "warn";
        case Level::Error: return "error";
    }
    return "info";
}
void appendValue(std::string& out, std::string_view v) {
    const bool quote = v.empty() || v.find_first_of(" \"=\\\n\t") != std::string_view::npos;
    if (!quote) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (const char c : v) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\t') {
            out.append("\\t");
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}
}  // namespace

Level level() { return static_cast<Level>(currentLevel().load()); }

std::string format(Level level, std::string_view component, std::string_view message,
                   std::initializer_list<Field> fields) {
    std::string line = "level=";
    line.append(name(level));
    line.append(" component=");
    appendValue(line, component);
    line.append(" msg=");
    appendValue(line, message);
    for (const auto& [k, v] : fields) {
        line.push_back(' ');
        line.append(k);
        line.push_back('=');
        appendValue(line, v);
    }
    return line;
}

void write(Level lvl, std::string_view component, std::string_view message, std::initializer_list<Field> fields) {
    if (static_cast<int>(lvl) < currentLevel().load()) return;
    std::string line = format(lvl, component, message, fields);
    line.push_back('\n');
    static std::mutex mutex;  // one whole line at a time from any thread
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace touchpoint::log
