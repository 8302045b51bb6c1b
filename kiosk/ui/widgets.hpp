#pragma once
// Touch widgets shared by every screen (and by staff mode): big buttons, toggles, the phone keypad, the
// on-screen keyboard with the accented letters our languages need, NPS/CES score rows and CSAT faces. Each
// registers its name and rectangle for the script driver and returns what was tapped.

#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "core/intent.hpp"
#include "core/keyboard_layout.hpp"
#include "ui_context.hpp"

namespace touchpoint::kiosk::ui {

enum class Tone { Primary, Secondary, Selected, Danger, Quiet };

/// Primary targets are at least this tall at 1080p (field notes: much larger than the 44 pt minimum).
inline constexpr float kPrimaryHeight = 104.0f;
inline constexpr float kKeyHeight = 84.0f;

/// A rounded button with a centred, wrapped label. Fires on release (ImGui semantics). Registers `id`.
bool bigButton(UiContext& ctx, const std::string& id, const std::string& label, ImVec2 pos, ImVec2 size,
               Tone tone = Tone::Secondary, bool enabled = true);

/// A full-width row with a large tick box and a wrapped label; returns true when tapped.
bool toggleRow(UiContext& ctx, const std::string& id, const std::string& label, bool checked, ImVec2 pos,
               float width);

/// One button per language ("<idPrefix><code>"), each labelled in its own language, centred in a row at `y`
/// (1080p units); the language shown now is Selected, the others `off`. Intent: ChooseLanguage.
Intent languageRow(UiContext& ctx, const std::vector<std::string>& languages, const std::string& idPrefix,
                   float y, float height, float maxWidth, Tone off);

/// Digits 1-9, '+', 0 and delete in a 4x3 grid filling `size`. Intent: KeyChar / KeyBackspace.
Intent phoneKeypad(UiContext& ctx, ImVec2 pos, ImVec2 size);

/// Letters, digits and, for Text, the accented letters of es/fr/de/pt plus space. Key ids "key.<char>",
/// "key.space", "key.backspace". Intent: KeyChar (UTF-8) / KeyBackspace.
Intent keyboard(UiContext& ctx, KeyboardLayout layout, ImVec2 pos, ImVec2 size);

/// Buttons `from`..`to` in one row ("<idPrefix>.<n>"). Intent: Score.
Intent scoreRow(UiContext& ctx, const std::string& idPrefix, int from, int to, std::optional<int> selected,
                ImVec2 pos, ImVec2 size);

/// Five faces, very unhappy to very happy ("csat.1".."csat.5"), each labelled. Intent: Score.
Intent csatFaces(UiContext& ctx, std::optional<int> selected, ImVec2 pos, ImVec2 size);

/// Text wrapped to `width` and centred in it, starting at `pos`; returns the height used.
float textBlock(UiContext& ctx, ImFont* font, const std::string& text, ImVec2 pos, float width, ImU32 color,
                bool centered = true);

/// A text field look-alike showing what was typed (the keyboard is the only way to type).
void inputField(UiContext& ctx, const std::string& id, const std::string& text,
                const std::string& placeholder, ImVec2 pos, ImVec2 size);

}  // namespace touchpoint::kiosk::ui
