#pragma once
// The store's side of sealed personal fields (hub/privacy/field_cipher.hpp): a stored value opened for a
// read, with a value that does not open reported as a store error that names its column (never the value).
// Internal to the hub library.

#include <optional>
#include <string>
#include <string_view>

#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

/// The plaintext of a stored value of `column` (a value from before encryption as it is).
inline StoreResult<std::string> revealField(const privacy::FieldCipher& cipher, std::string_view column,
                                            std::string_view stored) {
    auto r = cipher.reveal(column, stored);
    if (!r) return Fail(StoreError{r.error(), false});
    return std::move(r).value();
}

/// revealField of cell (row, col), NULL staying absent.
inline StoreResult<std::optional<std::string>> revealCell(const privacy::FieldCipher& cipher,
                                                          std::string_view column, const SqlRows& rows,
                                                          std::size_t row, std::size_t col) {
    if (rows.isNull(row, col)) return std::optional<std::string>{};
    auto r = revealField(cipher, column, rows.text(row, col));
    if (!r) return Fail(r.error());
    return std::optional<std::string>(std::move(r).value());
}

/// `value` sealed for `column`, except "" (a column's "none", which says nothing), which stays "".
inline std::string sealUnlessEmpty(const privacy::FieldCipher& cipher, std::string_view column,
                                   std::string_view value) {
    return value.empty() ? std::string() : cipher.seal(column, value);
}

/// A statement parameter holding `value` sealed for `column`, NULL staying NULL.
inline SqlValue sealedParam(const privacy::FieldCipher& cipher, std::string_view column,
                            const std::optional<std::string>& value) {
    return value ? SqlValue{cipher.seal(column, *value)} : SqlValue{};
}

}  // namespace touchpoint::hub
