#pragma once
// Staff mode's translation table. Staff screens are for store employees, so the table ships with the code
// (English, with Spanish, French, German and Portuguese where written) and never depends on the shopper
// tables' keys; a missing language falls back to English through Translations.

#include "core/i18n.hpp"

namespace touchpoint::kiosk::ui::staff {

/// The process-wide staff table (built once, read-only afterwards).
const Translations& staffTexts();

/// The shopper table (the shared widgets' own keys such as "keys.backspace", in every language) with the
/// staff keys added, each language falling back to the staff English text.
Translations withStaffTexts(const Translations& shopper);

}  // namespace touchpoint::kiosk::ui::staff
