#include "hub/admin/keys_command.hpp"

#include <chrono>
#include <ostream>

namespace touchpoint::hub {

namespace {

/// One block per key of the file: what is under it and whether it may be removed.
void printStatus(const DataKeyStatus& status, std::ostream& out) {
    for (const auto& k : status.keys) {
        out << "key " << k.keyId << (k.current ? " (current)" : " (retired)") << ": " << k.sealedValues()
            << " sealed values, " << k.identifierTags << " identifier tags";
        if (k.sealedValues() > 0) {
            out << " (";
            bool first = true;
            for (const auto& [column, n] : k.values) {
                if (n == 0) continue;
                out << (first ? "" : ", ") << column << " " << n;
                first = false;
            }
            out << ")";
        }
        out << "\n";
        if (k.current) continue;
        out << "  tags that keep it needed: " << k.keepingTags() << " (tombstones " << k.tombstones
            << ", staff lookups " << k.staffLookups << ", identifier mentions " << k.identifierMentions
            << ", merge records " << k.mergeMoves << ")\n";
        if (k.sealedValues() + k.identifierTags > 0) {
            out << "  keep it in the key file: values and identifiers are still under it (run keys rotate)\n";
        } else if (k.keepingTags() > 0) {
            out << "  keep it in the key file: it opens nothing now, but only it recognises these erased "
                   "people, lookups and merged identifiers\n";
        } else {
            out << "  nothing is under it: it may be removed from the key file of every hub\n";
        }
    }
    for (const auto& [column, n] : status.unopenable) {
        out << column << ": " << n << " sealed values under no key of this file (they do not open)\n";
    }
}

}  // namespace

int keysRotateCommand(HubStore& store, const KeyRotationOptions& options, std::ostream& out, std::ostream& err) {
    auto before = store.dataKeyStatus();
    if (!before) {
        err << "keys rotate: " << before.error().message << "\n";
        return 1;
    }
    out << "keys rotate: current key " << before->keys.front().keyId << ", " << before->notCurrent()
        << " values and identifier tags to move, in batches of " << options.batch << "\n";
    // Progress at most every second per column, and the column's total when it is done.
    std::string column;
    std::int64_t last = 0;
    auto printedAt = std::chrono::steady_clock::now();
    const auto finishColumn = [&] {
        if (!column.empty()) out << column << ": " << last << " changed\n" << std::flush;
    };
    auto result = store.rotateDataKey(options, [&](const std::string& c, std::int64_t changed) {
        const auto now = std::chrono::steady_clock::now();
        if (c != column) {
            finishColumn();
            column = c;
        } else if (now - printedAt >= std::chrono::seconds(1)) {
            out << column << ": " << changed << " so far\n" << std::flush;
            printedAt = now;
        }
        last = changed;
    });
    finishColumn();
    if (!result) {
        err << "keys rotate: " << result.error().message << "\n";
        return 1;
    }
    std::int64_t resealed = 0;
    for (const auto& [c, n] : result->resealed) resealed += n;
    out << "re-sealed " << resealed << " values, re-tagged " << result->retagged << " identifiers, removed "
        << result->duplicatesRemoved << " duplicate identifier rows; " << result->leftToHubs
        << " rows changed by a hub meanwhile were left to it\n";
    for (const auto& c : result->conflicts) err << "keys rotate: left as it is: " << c << "\n";
    auto after = store.dataKeyStatus();
    if (!after) {
        err << "keys rotate: " << after.error().message << "\n";
        return 1;
    }
    printStatus(*after, out);
    if (after->notCurrent() == 0) {
        out << "every sealed value and identifier is under the current key " << after->keys.front().keyId << "\n";
        return 0;
    }
    if (result->stoppedAtMaxRows) {
        err << "keys rotate: stopped after --max-rows " << *options.maxRows << "; " << after->notCurrent()
            << " values and identifier tags are still under other keys: run it again to go on\n";
    } else {
        err << "keys rotate: " << after->notCurrent()
            << " values and identifier tags are still under other keys (written meanwhile by a hub that does not "
               "have the current key first, or identifiers held by two profiles): restart every hub with the "
               "new key file and run keys rotate again\n";
    }
    return kKeysRotateIncomplete;
}

int keysStatusCommand(HubStore& store, std::ostream& out, std::ostream& err) {
    auto status = store.dataKeyStatus();
    if (!status) {
        err << "keys status: " << status.error().message << "\n";
        return 1;
    }
    printStatus(*status, out);
    return 0;
}

}  // namespace touchpoint::hub
