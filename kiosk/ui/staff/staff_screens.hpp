#pragma once
// Staff mode's screens, one file each. Each draws from the const StaffVm and returns what staff asked for
// (StaffIntent::Kind::None when nothing); StaffController applies it. Widget ids start with "staff." so the
// script driver can tap them.

#include <string>

#include "staff/staff_vm.hpp"
#include "ui/ui_context.hpp"

namespace touchpoint::kiosk::ui::staff {

using kiosk::staff::StaffIntent;
using kiosk::staff::StaffVm;

StaffIntent drawStaffPin(const StaffVm& vm, UiContext& ctx);
StaffIntent drawStaffHome(const StaffVm& vm, UiContext& ctx);
StaffIntent drawStaffLookup(const StaffVm& vm, UiContext& ctx);
StaffIntent drawStaffSync(const StaffVm& vm, UiContext& ctx);
StaffIntent drawStaffDeadLetters(const StaffVm& vm, UiContext& ctx);
StaffIntent drawStaffInfo(const StaffVm& vm, UiContext& ctx);
/// Modal over the current page while vm.confirm asks something.
StaffIntent drawStaffConfirm(const StaffVm& vm, UiContext& ctx);

/// Draws the page vm.page shows (and the confirmation over it); the one entry point the panel calls.
StaffIntent drawStaffPage(const StaffVm& vm, UiContext& ctx);

// Shared pieces (staff_chrome.cpp).
/// Title at the top left, "Leave staff mode" at the top right and the idle countdown under it.
StaffIntent staffHeader(const StaffVm& vm, UiContext& ctx, const std::string& titleKey);
/// A left-aligned line of body text at (x, y) in 1920x1080 reference units; returns the next line's y.
float staffLine(UiContext& ctx, const std::string& text, float x, float y, float width, ImU32 color);
/// Translated text with "{name}" placeholders filled.
std::string staffText(const UiContext& ctx, const std::string& key,
                      const std::map<std::string, std::string>& values = {});

}  // namespace touchpoint::kiosk::ui::staff
