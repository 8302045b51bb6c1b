#pragma once
// What every touchpointctl command group shares: argument reading with precise usage errors, the global
// options (--db, --config), the outbox and the event factory built from the kiosk config or test defaults.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/kiosk_config.hpp"
#include "event/kiosk_events.hpp"
#include "outbox/outbox.hpp"

namespace touchpoint::ctl {

/// Bad command line: main prints the message and the usage text and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
/// The command could not do its job (outbox error, unreadable config): main prints one line and exits 1.
class RuntimeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The words after the command name. Options may come in any order; whatever is left when finish() is
/// called is an error, so a typo never passes silently.
class Args {
public:
    explicit Args(std::vector<std::string> words) : m_words(std::move(words)) {}
    /// Removes and returns the value of `--name VALUE` (or `--name=VALUE`).
    std::optional<std::string> option(std::string_view name);
    /// Like option() but the value must be an integer in [min, max].
    std::optional<std::int64_t> intOption(std::string_view name, std::int64_t min, std::int64_t max);
    /// All values of a repeatable option.
    std::vector<std::string> options(std::string_view name);
    bool flag(std::string_view name);
    /// The next word that is not an option, removed.
    std::optional<std::string> positional();
    void finish() const;
    bool empty() const { return m_words.empty(); }

private:
    std::vector<std::string> m_words;
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

/// One command group: `name` is the first word after the global options ("status", "dead-letter").
struct CommandGroup {
    std::string_view name;
    std::string_view usage;  ///< its lines of the usage text
    std::function<int(Context&, Args&)> run;
};

/// Formats a UTC millisecond time and an age for people ("3m12s").
std::string formatAge(std::int64_t ms);

}  // namespace touchpoint::ctl
