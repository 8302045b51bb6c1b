#include "hub/store/answer_windows.hpp"

#include <sodium.h>

#include <algorithm>
#include <limits>

#include "event/sealing.hpp"

namespace touchpoint::hub {

namespace {

bool before(const FeedbackAnswer& x, const FeedbackAnswer& y) {
    return x.atMs != y.atMs ? x.atMs < y.atMs : x.messageId < y.messageId;
}

/// A stamp no transaction has used: random, never 0 (0 is "no stamp before", a store's first answers).
std::int64_t freshStamp() {
    event::ensureSodium();
    std::int64_t s = 0;
    while (s == 0) randombytes_buf(&s, sizeof s);
    return s;
}

std::int64_t minusSaturated(std::int64_t a, std::int64_t b) {
    return a < std::numeric_limits<std::int64_t>::min() + b ? std::numeric_limits<std::int64_t>::min() : a - b;
}

}  // namespace

AnswerWindows::AnswerWindows(Limits limits) : m_limits(limits) {}

std::size_t AnswerWindows::size() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_total;
}

void AnswerWindows::prune(Window& w) {
    if (w.answers.empty()) return;
    const std::int64_t bound = minusSaturated(w.answers.back().atMs, m_limits.keepMs);
    if (bound <= w.coveredAfter) return;
    const auto keep = std::upper_bound(w.answers.begin(), w.answers.end(), bound,
                                       [](std::int64_t t, const FeedbackAnswer& a) { return t < a.atMs; });
    const auto gone = static_cast<std::size_t>(keep - w.answers.begin());
    // Moving the kept answers forward costs their number: done when a quarter or more can go.
    if (gone == 0 || gone * 4 < w.answers.size()) return;
    w.answers.erase(w.answers.begin(), keep);
    w.coveredAfter = bound;
    m_total -= gone;
}

void AnswerWindows::makeRoom(std::size_t wanted) {
    for (auto it = m_stores.begin(); it != m_stores.end() && m_total + wanted > m_limits.answersInAll;) {
        if (it->second.users == 0) {
            m_total -= it->second.answers.size();
            it = m_stores.erase(it);
        } else {
            ++it;
        }
    }
}

AnswerWindows::Transaction::~Transaction() {
    std::lock_guard<std::mutex> lock(m_windows.m_mutex);
    for (auto& [store, held] : m_held) {
        if (held.window) --held.window->users;
    }
}

StoreResult<void> AnswerWindows::Transaction::stamp(const std::vector<FeedbackAnswer>& stored) {
    std::map<std::string, std::vector<const FeedbackAnswer*>> byStore;
    for (const auto& a : stored) {
        if (!a.storeId.empty()) byStore[a.storeId].push_back(&a);  // a web or app answer: in no store's window
    }
    for (auto& [store, added] : byStore) {
        Held* held = &m_held[store];
        held->stamp = freshStamp();
        if (m_windows.m_limits.keepMs <= 0) {
            // No alert rules here, so nothing is cached; the stamp still changes for the hubs that cache.
            auto r = m_c.defer("INSERT INTO feedback_windows(store_id, stamp, replaced) VALUES(?, ?, 0) ON CONFLICT(store_id) "
                               "DO UPDATE SET replaced = feedback_windows.stamp, stamp = excluded.stamp",
                               {store, held->stamp});
            if (!r) return Fail(r.error());
            continue;
        }
        auto replaced = m_c.query(
            "INSERT INTO feedback_windows(store_id, stamp, replaced) VALUES(?, ?, 0) ON CONFLICT(store_id) DO UPDATE "
            "SET replaced = feedback_windows.stamp, stamp = excluded.stamp RETURNING replaced",
            {store, held->stamp});
        if (!replaced) return Fail(replaced.error());
        const std::int64_t replacedStamp = replaced->empty() ? 0 : replaced->integer(0, 0);

        std::lock_guard<std::mutex> lock(m_windows.m_mutex);
        auto it = m_windows.m_stores.find(store);
        if (it == m_windows.m_stores.end()) continue;
        Window& w = it->second;
        if (held->window == &w) --w.users;  // stamped twice in one transaction (a retried statement)
        held->window = nullptr;
        if (w.users != 0) continue;  // the row lock makes this impossible; never touch a window in use
        if (replacedStamp == 0 || w.stamp != replacedStamp ||
            w.answers.size() + added.size() > kMaxAnswersPerStore) {
            m_windows.m_total -= w.answers.size();
            m_windows.m_stores.erase(it);
            continue;
        }
        for (const FeedbackAnswer* a : added) {
            if (a->atMs <= w.coveredAfter) continue;  // before what the window holds: no window asks for it
            w.answers.insert(std::upper_bound(w.answers.begin(), w.answers.end(), *a, before), *a);
            ++m_windows.m_total;
        }
        w.stamp = held->stamp;
        m_windows.prune(w);
        ++w.users;
        held->window = &w;
    }
    return {};
}

std::optional<std::span<const FeedbackAnswer>> AnswerWindows::Transaction::window(const std::string& store,
                                                                                   std::int64_t fromMs,
                                                                                   std::int64_t toMs) {
    const auto it = m_held.find(store);
    if (it == m_held.end() || it->second.window == nullptr) return std::nullopt;
    const Window& w = *it->second.window;  // held: no other transaction changes or evicts it
    if (fromMs <= w.coveredAfter) return std::nullopt;
    const auto first = std::lower_bound(w.answers.begin(), w.answers.end(), fromMs,
                                        [](const FeedbackAnswer& a, std::int64_t t) { return a.atMs < t; });
    const auto last = std::upper_bound(first, w.answers.end(), toMs,
                                       [](std::int64_t t, const FeedbackAnswer& a) { return t < a.atMs; });
    return std::span<const FeedbackAnswer>(&*w.answers.begin() + (first - w.answers.begin()),
                                           static_cast<std::size_t>(last - first));
}

bool AnswerWindows::Transaction::stamped(const std::string& store) const { return m_held.count(store) != 0; }

void AnswerWindows::Transaction::install(const std::string& store, std::int64_t fromMs,
                                         std::vector<FeedbackAnswer> answers) {
    const auto it = m_held.find(store);
    if (it == m_held.end()) return;
    Held& held = it->second;
    if (answers.size() > kMaxAnswersPerStore || fromMs == std::numeric_limits<std::int64_t>::min()) {
        return;
    }
    std::lock_guard<std::mutex> lock(m_windows.m_mutex);
    auto& stores = m_windows.m_stores;
    auto existing = stores.find(store);
    if (existing != stores.end()) {
        if (held.window != &existing->second && existing->second.users != 0) return;
        if (held.window == &existing->second) --existing->second.users;
        held.window = nullptr;
        m_windows.m_total -= existing->second.answers.size();
        stores.erase(existing);
    }
    m_windows.makeRoom(answers.size());
    if (m_windows.m_total + answers.size() > m_windows.m_limits.answersInAll) return;
    Window& w = stores[store];
    w.stamp = held.stamp;
    w.coveredAfter = fromMs - 1;
    w.answers = std::move(answers);
    m_windows.m_total += w.answers.size();
    m_windows.prune(w);
    w.users = 1;
    held.window = &w;
}

}  // namespace touchpoint::hub
