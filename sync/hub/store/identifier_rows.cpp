#include "hub/store/identifier_rows.hpp"

namespace touchpoint::hub {

std::vector<SqlValue> identifierInsertParams(const privacy::DataKeys& keys,
                                             const privacy::FieldCipher& cipher, std::string_view kind,
                                             std::string_view value, std::string_view profileId, bool verified) {
    return identifierInsertParams(keys.identifierTag(kind, value), cipher, kind, value, profileId, verified);
}

std::vector<SqlValue> identifierInsertParams(std::string_view currentTag, const privacy::FieldCipher& cipher,
                                             std::string_view kind, std::string_view value,
                                             std::string_view profileId, bool verified) {
    return {std::string(kind), std::string(currentTag),
            cipher.seal(privacy::columns::kIdentifierValue, value), std::string(profileId),
            std::int64_t{verified}};
}

std::vector<SqlValue> identifierTagParams(const privacy::DataKeys& keys, std::string_view kind,
                                          std::string_view value) {
    std::vector<SqlValue> out;
    for (auto& tag : keys.identifierTags(kind, value)) out.emplace_back(std::move(tag));
    return out;
}

StoreResult<std::optional<std::string>> identifierOwner(SqlConnection& c, const privacy::DataKeys& keys,
                                                        std::string_view kind, std::string_view value) {
    auto rows = queryIn(c, "SELECT profile_id FROM identifiers WHERE kind = ? AND value", {std::string(kind)},
                        identifierTagParams(keys, kind, value), " LIMIT 1");
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<std::string>{};
    return std::optional<std::string>(rows->text(0, 0));
}

StoreResult<std::string> openIdentifier(const privacy::FieldCipher& cipher, std::string_view sealedValue) {
    auto r = cipher.open(privacy::columns::kIdentifierValue, sealedValue);
    if (!r) return Fail(StoreError{"identifiers: " + r.error(), false});
    return std::move(r).value();
}

}  // namespace touchpoint::hub
