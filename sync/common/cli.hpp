#pragma once
// The command-line rule every Touchpoint program follows (CLI11): `--help` on the program and on every
// subcommand prints its help on stdout and exits 0; an unknown option, a missing value, a bad number or a
// missing required option is refused with "<program>: <what is wrong>" and that command's usage on stderr,
// exit code 2 (never ignored).

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <string>

namespace touchpoint::cli {

/// Exit code for a command line that was refused.
inline constexpr int kUsageExit = 2;

/// Prints a refused command line: the message, then the usage of the (sub)command that was being parsed.
inline int refuse(const CLI::App& app, const std::string& message) {
    std::cerr << app.get_name() << ": " << message << "\n" << app.help();
    return kUsageExit;
}

/// Parses argv into `app` (whose name must be set: it prefixes every error). Returns std::nullopt when the
/// program should go on, otherwise the exit code (0 after printing help, kUsageExit after refusing).
inline std::optional<int> parse(CLI::App& app, int argc, char** argv) {
    app.get_formatter()->label("Usage", "usage");  // shared by every subcommand
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help: the help of the subcommand it was given to
    } catch (const CLI::ParseError& e) {
        return refuse(app, e.what());
    }
}

}  // namespace touchpoint::cli
