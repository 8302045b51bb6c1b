#include "widgets.hpp"

#include <imgui_internal.h>  // ImTextCharFromUtf8

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace touchpoint::kiosk::ui {

namespace {

struct ToneColors {
    ImU32 fill;
    ImU32 text;
};

ToneColors colorsFor(const UiContext& ctx, Tone tone) {
    const auto& p = ctx.colors;
    switch (tone) {
        case Tone::Primary:
            return {p.primary, p.primaryText};
        case Tone::Selected:
            return {p.selected, p.selectedText};
        case Tone::Danger:
            return {p.danger, p.primaryText};
        case Tone::Quiet:
            return {p.background, p.text};
        case Tone::Secondary:
            break;
    }
    return {p.secondary, p.secondaryText};
}

void registerLastItem(UiContext& ctx, const std::string& id) {
    const auto min = ImGui::GetItemRectMin();
    const auto max = ImGui::GetItemRectMax();
    ctx.registry.add(id, min.x, min.y, max.x - min.x, max.y - min.y);
}

/// Records every character of [b, e) that `font` cannot draw.
void checkGlyphs(UiContext& ctx, ImFont* font, const char* b, const char* e) {
    while (b < e) {
        unsigned int c = 0;
        const int n = ImTextCharFromUtf8(&c, b, e);
        if (n <= 0) break;
        b += n;
        if (c >= 0x20 && font->FindGlyphNoFallback(static_cast<ImWchar>(c)) == nullptr)
            ctx.registry.noteMissingGlyph(c);
    }
}

/// Splits text into lines that fit `width` (ImGui's own word wrap, so it matches what it draws).
std::vector<std::pair<const char*, const char*>> wrapLines(ImFont* font, float size, const std::string& text,
                                                           float width) {
    std::vector<std::pair<const char*, const char*>> lines;
    const char* s = text.c_str();
    const char* end = s + text.size();
    while (s < end) {
        const char* lineEnd = font->CalcWordWrapPositionA(size / font->FontSize, s, end, width);
        if (lineEnd == s) lineEnd = s + 1;  // a single glyph wider than the box: never loop forever
        const char* nl = std::find(s, lineEnd, '\n');
        if (nl != lineEnd) lineEnd = nl;
        lines.emplace_back(s, lineEnd);
        s = lineEnd;
        while (s < end && (*s == ' ' || *s == '\n')) ++s;
    }
    return lines;
}

void drawTextIn(UiContext& ctx, ImFont* font, const std::string& text, ImVec2 min, ImVec2 max, ImU32 color) {
    ctx.registry.noteText(text);
    const float size = font->FontSize;
    const float width = max.x - min.x - ctx.px(16);
    const auto lines = wrapLines(font, size, text, width);
    const float total = static_cast<float>(lines.size()) * size;
    float y = min.y + (max.y - min.y - total) / 2;
    auto* dl = ImGui::GetWindowDrawList();
    for (const auto& [b, e] : lines) {
        checkGlyphs(ctx, font, b, e);
        const auto w = font->CalcTextSizeA(size, 1e9f, 0, b, e).x;
        dl->AddText(font, size, ImVec2(std::floor(min.x + (max.x - min.x - w) / 2), std::floor(y)), color, b,
                    e);
        y += size;
    }
}

}  // namespace

bool bigButton(UiContext& ctx, const std::string& id, const std::string& label, ImVec2 pos, ImVec2 size,
               Tone tone, bool enabled) {
    ImGui::SetCursorScreenPos(pos);
    if (!enabled) ImGui::BeginDisabled();
    const bool clicked = ImGui::InvisibleButton(id.c_str(), size);
    if (!enabled) ImGui::EndDisabled();
    registerLastItem(ctx, id);
    const bool held = ImGui::IsItemActive();
    auto colors = colorsFor(ctx, held ? Tone::Selected : tone);
    auto* dl = ImGui::GetWindowDrawList();
    const ImVec2 max(pos.x + size.x, pos.y + size.y);
    const float rounding = ctx.px(18);
    if (!enabled) {
        colors = {ctx.colors.secondary, ctx.colors.muted};
    }
    dl->AddRectFilled(pos, max, colors.fill, rounding);
    if (ctx.display.highContrast || tone == Tone::Quiet) {
        dl->AddRect(pos, max, ctx.colors.outline, rounding, 0, ctx.px(3));
    }
    drawTextIn(ctx, ctx.font().bold, label, pos, max, colors.text);
    return clicked && enabled;
}

bool toggleRow(UiContext& ctx, const std::string& id, const std::string& label, bool checked, ImVec2 pos,
               float width) {
    ImFont* font = ctx.font().body;
    const float box = ctx.px(72);
    const float textX = pos.x + ctx.px(20) + box + ctx.px(28);
    const float textW = width - (textX - pos.x) - ctx.px(16);
    ctx.registry.noteText(label);
    const auto lines = wrapLines(font, font->FontSize, label, textW);
    const float height =
        std::max(ctx.px(kPrimaryHeight), static_cast<float>(lines.size()) * font->FontSize + ctx.px(32));
    ImGui::SetCursorScreenPos(pos);
    const bool clicked = ImGui::InvisibleButton(id.c_str(), ImVec2(width, height));
    registerLastItem(ctx, id);
    auto* dl = ImGui::GetWindowDrawList();
    const ImVec2 max(pos.x + width, pos.y + height);
    dl->AddRectFilled(pos, max, ctx.colors.panel, ctx.px(18));
    dl->AddRect(pos, max, ctx.colors.outline, ctx.px(18), 0, ctx.px(2));
    const ImVec2 b0(pos.x + ctx.px(20), pos.y + (height - box) / 2);
    const ImVec2 b1(b0.x + box, b0.y + box);
    dl->AddRectFilled(b0, b1, checked ? ctx.colors.primary : ctx.colors.panel, ctx.px(10));
    dl->AddRect(b0, b1, checked ? ctx.colors.primary : ctx.colors.text, ctx.px(10), 0, ctx.px(4));
    if (checked) {
        const float t = ctx.px(8);
        dl->AddPolyline(std::array<ImVec2, 3>{ImVec2(b0.x + box * 0.22f, b0.y + box * 0.52f),
                                              ImVec2(b0.x + box * 0.42f, b0.y + box * 0.72f),
                                              ImVec2(b0.x + box * 0.80f, b0.y + box * 0.28f)}
                            .data(),
                        3, ctx.colors.primaryText, 0, t);
    }
    float y = pos.y + (height - static_cast<float>(lines.size()) * font->FontSize) / 2;
    for (const auto& [b, e] : lines) {
        checkGlyphs(ctx, font, b, e);
        dl->AddText(font, font->FontSize, ImVec2(textX, std::floor(y)), ctx.colors.text, b, e);
        y += font->FontSize;
    }
    return clicked;
}

Intent languageRow(UiContext& ctx, const std::vector<std::string>& languages, const std::string& idPrefix,
                   float y, float height, float maxWidth, Tone off) {
    Intent out;
    if (languages.empty()) return out;
    const float gap = ctx.xs(24);
    const auto n = static_cast<float>(languages.size());
    const float w = std::min(ctx.xs(maxWidth), (ctx.xs(1720) - gap * (n - 1)) / n);
    float x = (ctx.screen().x - (w * n + gap * (n - 1))) / 2;
    for (const auto& lang : languages) {
        const bool on = lang == ctx.display.language;
        if (bigButton(ctx, idPrefix + lang, ctx.texts.text(lang, "language.name"), ImVec2(x, ctx.px(y)),
                      ImVec2(w, ctx.px(height)), on ? Tone::Selected : off)) {
            out = Intent::withText(IntentKind::ChooseLanguage, lang);
        }
        x += w + gap;
    }
    return out;
}

Intent phoneKeypad(UiContext& ctx, ImVec2 pos, ImVec2 size) {
    const auto& keys = phoneKeypadKeys();
    const float gap = ctx.px(16);
    const float w = (size.x - 2 * gap) / 3;
    const float h = (size.y - 3 * gap) / 4;
    Intent out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const std::string& key = keys[i];
        const ImVec2 p(pos.x + static_cast<float>(i % 3) * (w + gap),
                       pos.y + static_cast<float>(i / 3) * (h + gap));
        const bool del = key == "backspace";
        const std::string label = del ? std::string("\u232B ") + ctx.tr("keys.backspace") : key;
        if (bigButton(ctx, keyWidgetId(key, true), label, p, ImVec2(w, h), Tone::Secondary)) {
            out = del ? Intent::of(IntentKind::KeyBackspace) : Intent::withText(IntentKind::KeyChar, key);
        }
    }
    return out;
}

Intent keyboard(UiContext& ctx, KeyboardLayout layout, ImVec2 pos, ImVec2 size) {
    const auto& rows = keyboardRows(layout);
    const float gap = ctx.px(10);
    const float rowH = (size.y - gap * static_cast<float>(rows.size() - 1)) / static_cast<float>(rows.size());
    Intent out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        // Keys share the row's width; the wide keys (space, delete) count as several.
        float units = 0;
        for (const auto& k : row) units += k == "space" ? 6.0f : k == "backspace" ? 3.0f : 1.0f;
        const float unitW =
            std::min((size.x - gap * static_cast<float>(row.size() - 1)) / units, (size.x - gap * 11) / 12);
        float rowW = unitW * units + gap * static_cast<float>(row.size() - 1);
        if (r + 1 == rows.size() || layout == KeyboardLayout::Email) rowW = std::min(rowW, size.x);
        float x = pos.x + (size.x - rowW) / 2;
        const float y = pos.y + static_cast<float>(r) * (rowH + gap);
        for (const auto& key : row) {
            const float w = unitW * (key == "space" ? 6.0f : key == "backspace" ? 3.0f : 1.0f);
            const std::string id = keyWidgetId(key, false);
            std::string label = key;
            if (key == "space") label = ctx.tr("keys.space");
            if (key == "backspace") label = std::string("\u232B ") + ctx.tr("keys.backspace");
            if (bigButton(ctx, id, label, ImVec2(x, y), ImVec2(w, rowH), Tone::Secondary)) {
                if (key == "backspace") {
                    out = Intent::of(IntentKind::KeyBackspace);
                } else {
                    out = Intent::withText(IntentKind::KeyChar, key == "space" ? " " : key);
                }
            }
            x += w + gap;
        }
    }
    return out;
}

Intent scoreRow(UiContext& ctx, const std::string& idPrefix, int from, int to, std::optional<int> selected,
                ImVec2 pos, ImVec2 size) {
    const int n = to - from + 1;
    const float gap = ctx.px(12);
    const float w = (size.x - gap * static_cast<float>(n - 1)) / static_cast<float>(n);
    Intent out;
    for (int v = from; v <= to; ++v) {
        const ImVec2 p(pos.x + static_cast<float>(v - from) * (w + gap), pos.y);
        const bool on = selected && *selected == v;
        if (bigButton(ctx, idPrefix + "." + std::to_string(v), std::to_string(v), p, ImVec2(w, size.y),
                      on ? Tone::Selected : Tone::Secondary)) {
            out = Intent::withValue(IntentKind::Score, v);
        }
    }
    return out;
}

Intent csatFaces(UiContext& ctx, std::optional<int> selected, ImVec2 pos, ImVec2 size) {
    const float gap = ctx.px(20);
    const float w = (size.x - gap * 4) / 5;
    Intent out;
    auto* dl = ImGui::GetWindowDrawList();
    for (int v = 1; v <= 5; ++v) {
        const ImVec2 p(pos.x + static_cast<float>(v - 1) * (w + gap), pos.y);
        const std::string id = "csat." + std::to_string(v);
        ImGui::SetCursorScreenPos(p);
        if (ImGui::InvisibleButton(id.c_str(), size.y > 0 ? ImVec2(w, size.y) : ImVec2(w, w))) {
            out = Intent::withValue(IntentKind::Score, v);
        }
        registerLastItem(ctx, id);
        const bool on = (selected && *selected == v) || ImGui::IsItemActive();
        const ImVec2 max(p.x + w, p.y + size.y);
        dl->AddRectFilled(p, max, on ? ctx.colors.selected : ctx.colors.panel, ctx.px(18));
        dl->AddRect(p, max, ctx.colors.outline, ctx.px(18), 0, ctx.px(on ? 5 : 2));
        // The face: red to green, the mouth curving from frown to smile.
        static constexpr std::array<ImU32, 5> kFace{IM_COL32(214, 69, 65, 255), IM_COL32(236, 128, 64, 255),
                                                    IM_COL32(240, 196, 46, 255), IM_COL32(139, 195, 74, 255),
                                                    IM_COL32(46, 160, 90, 255)};
        const float labelH = ctx.font().body->FontSize * 2.2f;
        const float r = std::min(w, size.y - labelH) * 0.36f;
        const ImVec2 c(p.x + w / 2, p.y + ctx.px(16) + r);
        dl->AddCircleFilled(c, r, kFace[static_cast<std::size_t>(v - 1)], 48);
        dl->AddCircle(c, r, IM_COL32(0, 0, 0, 160), 48, ctx.px(3));
        dl->AddCircleFilled(ImVec2(c.x - r * 0.35f, c.y - r * 0.25f), r * 0.11f, IM_COL32(30, 30, 30, 255));
        dl->AddCircleFilled(ImVec2(c.x + r * 0.35f, c.y - r * 0.25f), r * 0.11f, IM_COL32(30, 30, 30, 255));
        const float curve = (static_cast<float>(v) - 3.0f) / 2.0f;  // -1 frown .. +1 smile
        const ImVec2 m0(c.x - r * 0.45f, c.y + r * 0.35f);
        const ImVec2 m1(c.x + r * 0.45f, c.y + r * 0.35f);
        const ImVec2 ctl(c.x, c.y + r * 0.35f + curve * r * 0.5f);
        dl->AddBezierQuadratic(m0, ctl, m1, IM_COL32(30, 30, 30, 255), r * 0.09f, 24);
        textBlock(ctx, ctx.font().body, ctx.tr("feedback.csat." + std::to_string(v)),
                  ImVec2(p.x, c.y + r + ctx.px(8)), w, on ? ctx.colors.selectedText : ctx.colors.text);
    }
    return out;
}

float textBlock(UiContext& ctx, ImFont* font, const std::string& text, ImVec2 pos, float width, ImU32 color,
                bool centered) {
    ctx.registry.noteText(text);
    const float size = font->FontSize;
    const auto lines = wrapLines(font, size, text, width);
    auto* dl = ImGui::GetWindowDrawList();
    float y = pos.y;
    for (const auto& [b, e] : lines) {
        checkGlyphs(ctx, font, b, e);
        const float w = font->CalcTextSizeA(size, 1e9f, 0, b, e).x;
        const float x = centered ? pos.x + (width - w) / 2 : pos.x;
        dl->AddText(font, size, ImVec2(std::floor(x), std::floor(y)), color, b, e);
        y += size * 1.15f;
    }
    return y - pos.y;
}

void inputField(UiContext& ctx, const std::string& id, const std::string& text,
                const std::string& placeholder, ImVec2 pos, ImVec2 size) {
    auto* dl = ImGui::GetWindowDrawList();
    const ImVec2 max(pos.x + size.x, pos.y + size.y);
    dl->AddRectFilled(pos, max, ctx.colors.panel, ctx.px(14));
    dl->AddRect(pos, max, ctx.colors.primary, ctx.px(14), 0, ctx.px(4));
    ctx.registry.add(id, pos.x, pos.y, size.x, size.y);
    ImFont* font = ctx.font().title;
    const bool empty = text.empty();
    const std::string& shown = empty ? placeholder : text;
    ctx.registry.noteText(shown);
    ImFont* f = empty ? ctx.font().body : font;
    const float w = f->CalcTextSizeA(f->FontSize, 1e9f, 0, shown.c_str()).x;
    // Long input scrolls left so the end (where the shopper types) stays visible.
    const float x = std::min(pos.x + ctx.px(24), max.x - ctx.px(24) - w);
    checkGlyphs(ctx, f, shown.c_str(), shown.c_str() + shown.size());
    dl->PushClipRect(pos, max, true);
    dl->AddText(f, f->FontSize, ImVec2(x, pos.y + (size.y - f->FontSize) / 2),
                empty ? ctx.colors.muted : ctx.colors.text, shown.c_str());
    dl->PopClipRect();
}

}  // namespace touchpoint::kiosk::ui
