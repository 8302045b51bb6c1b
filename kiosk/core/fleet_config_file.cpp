#include "fleet_config_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/tls_cert.hpp"
#include "content/fleet_document.hpp"

namespace touchpoint::kiosk {

namespace {
/// The body, escaped as a JSON string, plus the etag: never more than this.
constexpr std::uintmax_t kMaxFileBytes = 8 * content::kMaxDocumentBytes;
}  // namespace

Result<void, std::string> FleetConfigFile::save(const StoredFleetConfig& config) const {
    const nlohmann::json j{{"format", 1}, {"etag", config.etag}, {"body", config.body}};
    return tls::writeFileAtomically(m_path.string(), j.dump() + "\n", 0644);
}

Result<std::optional<StoredFleetConfig>, std::string> FleetConfigFile::load() const {
    std::error_code ec;
    if (!std::filesystem::exists(m_path, ec)) return std::optional<StoredFleetConfig>{};
    const auto size = std::filesystem::file_size(m_path, ec);
    if (ec) return Fail(m_path.string() + ": " + ec.message());
    if (size > kMaxFileBytes)
        return Fail(m_path.string() + ": larger than any document (" + std::to_string(size) + " bytes)");
    std::ifstream in(m_path, std::ios::binary);
    if (!in) return Fail(m_path.string() + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    const auto j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("etag") || !j["etag"].is_string() ||
        !j.contains("body") || !j["body"].is_string()) {
        return Fail(m_path.string() + ": not a stored kiosk document");
    }
    return std::optional<StoredFleetConfig>(
        StoredFleetConfig{j["etag"].get<std::string>(), j["body"].get<std::string>()});
}

}  // namespace touchpoint::kiosk
