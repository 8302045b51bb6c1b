#include "hub/ingest/json_fast_path.hpp"

#include <simdjson.h>

#include <cstdint>
#include <new>
#include <string>

namespace touchpoint::hub {
namespace {

using nlohmann::json;
namespace dom = simdjson::dom;

/// The reader's own depth limit: deeper text is refused while it is read, before anything is built.
constexpr std::size_t kReaderDepth = 64;

/// Builds `out` from `e`, a container at nesting level `level`; false when a container lies deeper than
/// `maxLevels`. Recursion is bounded by kReaderDepth.
bool build(dom::element e, json& out, std::size_t level, std::size_t maxLevels) {
    switch (e.type()) {
        case dom::element_type::OBJECT: {
            if (level > maxLevels) return false;
            out = json::object();
            auto& members = out.get_ref<json::object_t&>();
            for (const dom::key_value_pair field : dom::object(e)) {
                // operator[] keeps one entry per key; as in nlohmann's reader, the last value given wins.
                if (!build(field.value, members[std::string(field.key)], level + 1, maxLevels)) return false;
            }
            return true;
        }
        case dom::element_type::ARRAY: {
            if (level > maxLevels) return false;
            out = json::array();
            auto& items = out.get_ref<json::array_t&>();
            const dom::array array(e);
            items.reserve(array.size());
            for (const dom::element item : array) {
                if (!build(item, items.emplace_back(), level + 1, maxLevels)) return false;
            }
            return true;
        }
        case dom::element_type::STRING:
            out = std::string(std::string_view(e));
            return true;
        case dom::element_type::INT64: {
            // nlohmann keeps integers written without a minus sign as unsigned, the others as signed.
            const std::int64_t v = std::int64_t(e);
            if (v >= 0) {
                out = static_cast<std::uint64_t>(v);
            } else {
                out = v;
            }
            return true;
        }
        case dom::element_type::UINT64:
            out = std::uint64_t(e);
            return true;
        case dom::element_type::DOUBLE:
            out = double(e);
            return true;
        case dom::element_type::BOOL:
            out = bool(e);
            return true;
        case dom::element_type::NULL_VALUE:
            out = nullptr;
            return true;
    }
    return false;  // a kind this reader does not know: nlohmann reads the text instead
}

}  // namespace

std::optional<json> parseWellFormedJson(std::string_view text, std::size_t maxNestingLevels,
                                        std::size_t maxBytes) {
    if (text.size() > maxBytes || maxNestingLevels >= kReaderDepth) return std::nullopt;
    // One reader per thread: its buffers are reused, not allocated again for every body.
    // Its buffers grow on demand to the largest text read, which the check above bounds (simdjson 3.0's
    // set_max_capacity would set 32 bytes instead). Its depth counts one more than the levels it lets
    // through.
    thread_local dom::parser reader = [] {
        dom::parser r;
        if (r.allocate(4096, kReaderDepth) != simdjson::SUCCESS) throw std::bad_alloc();
        return r;
    }();
    dom::element root;
    if (reader.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) return std::nullopt;
    json out;
    if (!build(root, out, 1, maxNestingLevels)) return std::nullopt;
    return out;
}

}  // namespace touchpoint::hub
