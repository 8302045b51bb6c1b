#pragma once
// A token as the hub keeps it, and the names of its kinds and roles (docs/OPERATIONS.md "Tokens"). Its own
// header so that the claim rules (token_claims.hpp) and the store (hub_store.hpp) share the type while
// ingest/ stays below store/.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace touchpoint::hub {

inline constexpr std::string_view kKindKiosk = "kiosk";
inline constexpr std::string_view kKindWeb = "web";
inline constexpr std::string_view kKindApp = "app";
inline constexpr std::string_view kKindServer = "server";
inline constexpr std::string_view kKindStaff = "staff";
inline constexpr std::string_view kKindHeadOffice = "head-office";

inline constexpr std::string_view kRoleAnalyst = "analyst";
inline constexpr std::string_view kRoleManager = "manager";
inline constexpr std::string_view kRoleAdmin = "admin";

/// A token and what it may claim. The scope picks the routes; the kind, the bindings and the role say what
/// the token may claim on them.
struct TokenRecord {
    std::string name;
    std::string scope;  ///< ingest | lookup | head-office (follows from the kind)
    std::int64_t createdMs = 0;
    std::optional<std::int64_t> revokedMs;
    std::string kind;     ///< kiosk | web | app | server | staff | head-office
    std::string storeId;  ///< kiosk and staff tokens: the one store and kiosk they speak for
    std::string kioskId;
    std::string role;  ///< head-office tokens: analyst | manager | admin
};

}  // namespace touchpoint::hub
