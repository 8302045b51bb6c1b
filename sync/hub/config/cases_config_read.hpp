#pragma once
// Internal to the config folder: reading [cases] and [notifications] (cases_config.cpp) for parseHubConfig.

#include "hub/config/cases_config.hpp"
#include "hub/config/config_checker.hpp"

namespace touchpoint::hub {

/// Reads `[cases]` (with its rules and alerts) from `section`; problems go to `check` with their lines.
void readCasesConfig(Checker& check, const toml::table& section, CasesConfig& out);
/// Reads `[notifications]` with its webhooks and SMTP relay.
void readNotificationsConfig(Checker& check, const toml::table& section, NotificationsConfig& out);

}  // namespace touchpoint::hub
