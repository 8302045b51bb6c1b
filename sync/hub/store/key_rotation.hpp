#pragma once
// What `touchpoint-hub keys rotate` and `keys status` ask of the store (HubStore::rotateDataKey,
// HubStore::dataKeyStatus; docs/OPERATIONS.md "Personal data: keys, erasure, retention"): which key each sealed
// value and keyed tag was made under, and the re-sealing of values (and re-tagging of identifiers) under a
// retired key with the current one.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::hub {

/// What the store holds under one key of the key file.
struct KeyUse {
    std::string keyId;
    bool current = false;
    /// Sealed values under this key, by column (privacy::columns), identifiers.sealed_value included.
    std::map<std::string, std::int64_t> values;
    /// Identifier rows whose tag (identifiers.value) is under this key: re-tagged by a rotation.
    std::int64_t identifierTags = 0;
    /// Tags kept without the identifier, so never re-keyed: while any remains, the key must stay in the file
    /// (it opens nothing then; it only recognises an erased person, a looked-up one, a merge's identifiers).
    std::int64_t tombstones = 0, staffLookups = 0, identifierMentions = 0, mergeMoves = 0;

    std::int64_t sealedValues() const {
        std::int64_t n = 0;
        for (const auto& [column, count] : values) n += count;
        return n;
    }
    std::int64_t keepingTags() const { return tombstones + staffLookups + identifierMentions + mergeMoves; }
};

struct DataKeyStatus {
    std::vector<KeyUse> keys;  ///< the key file's keys in its order: current first
    /// Sealed values under no key of the file (a key id it does not hold), by column: they do not open.
    std::map<std::string, std::int64_t> unopenable;

    /// Values and identifier tags under a retired key: what a rotation still has to do.
    std::int64_t notCurrent() const {
        std::int64_t n = 0;
        for (const auto& k : keys) {
            if (!k.current) n += k.sealedValues() + k.identifierTags;
        }
        for (const auto& [column, count] : unopenable) n += count;
        return n;
    }
};

struct KeyRotationOptions {
    std::int64_t batch = 500;             ///< rows per transaction
    std::optional<std::int64_t> maxRows;  ///< stop after this many rows were changed (then run again)
};

struct KeyRotationResult {
    std::map<std::string, std::int64_t> resealed;  ///< values re-sealed under the current key, by column
    std::int64_t retagged = 0;    ///< identifier rows given their tag under the current key
    /// Identifier rows under a retired key whose current-key row existed already for the same profile (made by
    /// a hub that did not hold the retired key): the retired one is deleted, the current one kept.
    std::int64_t duplicatesRemoved = 0;
    /// Rows a hub changed between the read and the write (an erasure, retention, a merge): left to the hub.
    std::int64_t leftToHubs = 0;
    /// Identifiers whose current-key row belongs to another profile than the retired-key row: both are left
    /// as they are (which profile is the person's is the journey rules' question, not the rotation's). Each
    /// names the kind and the two profile ids, never the identifier.
    std::vector<std::string> conflicts;
    bool stoppedAtMaxRows = false;

    std::int64_t changed() const {
        std::int64_t n = retagged + duplicatesRemoved;
        for (const auto& [column, count] : resealed) n += count;
        return n;
    }
};

/// Called after every batch: the column (or "identifiers") and the rows changed in it so far.
using KeyRotationProgress = std::function<void(const std::string& column, std::int64_t changed)>;

}  // namespace touchpoint::hub
