#pragma once
// The dashboard's static files (HTML, CSS, JS and chart.js's UMD build), compiled into the hub binary by
// embed_assets.cmake so nothing is fetched or read from disk at run time.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace touchpoint::hub::dashboard {

struct EmbeddedAsset {
    const char* name;         ///< file name as served under /dashboard/assets/ ("app.js")
    const char* contentType;  ///< "text/javascript; charset=utf-8"
    const unsigned char* data;
    std::size_t size;

    std::string_view bytes() const { return {reinterpret_cast<const char*>(data), size}; }
};

/// Every embedded file (defined in the generated dashboard_assets.cpp).
std::span<const EmbeddedAsset> embeddedAssets();

/// The asset with this name, if there is one.
std::optional<EmbeddedAsset> findAsset(std::string_view name);

}  // namespace touchpoint::hub::dashboard
