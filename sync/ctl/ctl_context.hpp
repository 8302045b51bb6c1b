#pragma once
// What every touchpointctl command group shares: the global options (--db, --config), the outbox and the
// event factory built from the kiosk config or test defaults. Arguments are CLI11's (common/cli.hpp).

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "config/kiosk_config.hpp"
#include "event/kiosk_events.hpp"
#include "outbox/outbox.hpp"

namespace touchpoint::ctl {

/// A command line CLI11 accepted but the command cannot use (a phone number that is not one): main prints the
/// message and the command's usage and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
/// The command could not do its job (outbox error, unreadable config): main prints one line and exits 1.
class RuntimeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct GlobalOptions {
    std::optional<std::filesystem::path> db;
    std::optional<std::filesystem::path> config;
};

class Context {
public:
    explicit Context(GlobalOptions global) : m_global(std::move(global)) {}

    /// The outbox named by --db (or the config's outbox.path); opened once.
    outbox::Outbox& outbox();
    /// Event factory with the config's store/kiosk/keys, or the stated test defaults.
    const event::KioskEventFactory& factory();
    /// ISO 3166 region for numbers typed without a country code (config device.phone_region, default US).
    std::string phoneRegion();
    const GlobalOptions& global() const { return m_global; }

private:
    const config::KioskConfig* kioskConfig();
    std::filesystem::path dbPath();

    GlobalOptions m_global;
    std::optional<config::KioskConfig> m_config;
    bool m_configLoaded = false;
    std::unique_ptr<outbox::Outbox> m_outbox;
    std::unique_ptr<event::KioskEventFactory> m_factory;
};

/// What a parsed command does. main runs it once CLI11 has accepted the whole command line.
using Action = std::function<int(Context&)>;
/// One command group (one file each, registered in main.cpp's kGroups): adds its subcommand to `app` with its
/// options; when CLI11 parses that subcommand, its action is stored in `chosen`.
using CommandGroup = void (*)(CLI::App& app, Action& chosen);
/// Makes `command` store `run` in `chosen` when it is parsed.
inline void runs(CLI::App* command, Action& chosen, Action run) {
    command->callback([&chosen, run = std::move(run)] { chosen = run; });
}

/// Formats a UTC millisecond time and an age for people ("3m12s").
std::string formatAge(std::int64_t ms);

}  // namespace touchpoint::ctl
