#pragma once
// Export rows as the head-office export answers them: one JSON object per row, or one CSV line in the
// kind's column order (docs/PROTOCOL.md, GET /v1/export/{kind}).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hub/store/export_rows.hpp"

namespace touchpoint::hub {

/// The column names of a kind, in CSV order (also the keys of its JSON objects).
const std::vector<std::string>& exportColumns(ExportKind kind);

/// Whether an export shows the personal values inside stored messages (the admin role) or masks them.
enum class ExportPersonal { Masked, Shown };

/// What a head-office token of `role` sees of the personal values inside stored messages (exports, a
/// timeline's group traits): Shown for `admin`, Masked for `analyst`, `manager` and anything else.
ExportPersonal personalValuesFor(std::string_view role);

/// Whether an export of `kind` shows personal values: stored messages as they arrived (events, for an admin)
/// and member numbers (profiles, every role). The route audits those exports; the others show scores, times,
/// stores, profile ids and masked text only.
bool exportShowsPersonalValues(ExportKind kind, ExportPersonal personal);

/// A row as JSON; comments are masked (personal_text.hpp) and stored JSON documents embedded as JSON, a stored
/// message with its personal values masked (rejection_excerpt.hpp) unless `personal` is Shown.
nlohmann::json exportJson(const ExportRow& row, ExportPersonal personal = ExportPersonal::Masked);

/// A row as one CSV line (no line end), cells in exportColumns order, quoted where needed and guarded
/// against spreadsheet formulas.
std::string exportCsvLine(const ExportRow& row, ExportKind kind, ExportPersonal personal = ExportPersonal::Masked);

}  // namespace touchpoint::hub
