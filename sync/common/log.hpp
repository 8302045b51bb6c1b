#pragma once
// One structured line per event on stderr (journald keeps it): `level=info component=uploader msg="batch sent"
// events=250 status=200`. Never pass personal data (phone, email, comment, tokens) as a field.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace touchpoint::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

using Field = std::pair<std::string_view, std::string>;

/// Lines below this level are not written: Info, or TOUCHPOINT_LOG_LEVEL=debug|info|warn|error.
Level level();

void write(Level level, std::string_view component, std::string_view message, std::initializer_list<Field> fields = {});
inline void debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Debug, c, m, f); }
inline void info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Info, c, m, f); }
inline void warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Warn, c, m, f); }
inline void error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) { write(Level::Error, c, m, f); }

/// Formats one line without writing it (tests).
std::string format(Level level, std::string_view component, std::string_view message,
                   std::initializer_list<Field> fields);

}  // namespace touchpoint::log
