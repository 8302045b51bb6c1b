#pragma once
// The recent feedback answers of each store, kept in memory from one ingest transaction to the next, so that the
// alert rules (cases/feedback_rules.hpp) read a busy store's window without reading it from the database for
// every batch. Internal to the hub library.
//
// The database stays the truth. Every ingest transaction that stores answers for a store replaces the store's
// stamp in `feedback_windows` (a random 64-bit number) and learns the stamp it replaced. The update locks the
// row, so transactions adding answers to one store take turns, in one hub process or several. A cached window
// is used only when its stamp is the one replaced: then no transaction, in this process or another, stored an
// answer for the store since the cache last saw one. The cache takes the transaction's answers and its new
// stamp inside the transaction, before the commit. A transaction that rolls back leaves the old stamp in the
// database, so the next one finds a stamp the cache does not hold and reads the window from the database.
//
// Feedback rows never change in what a window reads (time, scores, reasons, abandoned, misuse): erasure and
// retention blank comments and profiles only. So a window is what was inserted, in (capture time, message id)
// order.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hub/cases/case_repository.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

class AnswerWindows {
    struct Window;

  public:
    /// A store with more answers in its kept span is read from the database for every batch.
    static constexpr std::size_t kMaxAnswersPerStore = 50'000;
    struct Limits {
        std::int64_t keepMs = 0;             ///< kept behind a store's newest answer (0: nothing is cached)
        std::size_t answersInAll = 400'000;  ///< about 120 MB at most; idle stores make room
    };
    explicit AnswerWindows(Limits limits);

    /// One ingest transaction's hold on the windows of the stores it adds answers to. Lives inside the
    /// transaction; the windows it hands out stay valid until it ends.
    class Transaction {
      public:
        Transaction(AnswerWindows& windows, SqlConnection& c) : m_windows(windows), m_c(c) {}
        ~Transaction();
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;

        /// Replaces the stamp of every store in `stored` (the answers this transaction inserted, of any
        /// stores), in store order, and brings the cached windows that are current up to date with them.
        StoreResult<void> stamp(const std::vector<FeedbackAnswer>& stored);

        /// The answers of `store` captured in [fromMs, toMs], this transaction's included, in order; nullopt
        /// when the cache cannot say (then read the database, and offer the rows to `install`).
        std::optional<std::span<const FeedbackAnswer>> window(const std::string& store, std::int64_t fromMs,
                                                              std::int64_t toMs);
        /// Whether `install` could take a read of `store` (this transaction stamped it).
        bool stamped(const std::string& store) const;
        /// The database's answers of a stamped `store` captured at `fromMs` or later (every one, this
        /// transaction's included) become its cached window.
        void install(const std::string& store, std::int64_t fromMs, std::vector<FeedbackAnswer> answers);

      private:
        struct Held {
            std::int64_t stamp = 0;    ///< the stamp this transaction wrote
            Window* window = nullptr;  ///< the cached window, as of this transaction; null when the cache cannot say
        };
        AnswerWindows& m_windows;
        SqlConnection& m_c;
        std::map<std::string, Held> m_held;
    };

    /// Answers cached, in all stores (for tests and /metrics-like checks).
    std::size_t size() const;

  private:
    struct Window {
        std::int64_t stamp = 0;         ///< the database's stamp these answers are as of
        std::int64_t coveredAfter = 0;  ///< every answer captured after this is here
        std::vector<FeedbackAnswer> answers;
        int users = 0;  ///< transactions holding it: not evicted meanwhile
    };
    void prune(Window& w);
    void makeRoom(std::size_t wanted);

    const Limits m_limits;
    mutable std::mutex m_mutex;
    std::map<std::string, Window> m_stores;
    std::size_t m_total = 0;
};

}  // namespace touchpoint::hub
