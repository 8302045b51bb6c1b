#pragma once
// Test doubles for staff mode's ports: a scripted hub transport, an audit sink, dead letters and an uploader.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "app/staff_lookup_client.hpp"
#include "staff/lookup_service.hpp"
#include "staff/staff_ports.hpp"
#include "staff/sync_health.hpp"

namespace touchpoint::kiosk::staff {

/// Answers lookups from a script and records what was asked. Transport failures are named in staff terms
/// the way the app's HTTPS adapter names them (app::lookupProblemFor).
class ScriptedTransport final : public LookupTransport {
public:
    using Answer = Result<LookupReply, LookupFailure>;
    std::deque<Answer> answers;
    std::vector<std::string> paths;
    std::vector<std::string> tokens;

    Answer get(std::string_view path, std::string_view token) override {
        paths.emplace_back(path);
        tokens.emplace_back(token);
        if (answers.empty()) {
            return Fail(LookupFailure{app::lookupProblemFor(uploader::TransportErrc::ConnectFailed), "down"});
        }
        auto next = std::move(answers.front());
        answers.pop_front();
        return next;
    }
    std::string escape(std::string_view value) const override { return app::HttpsLookupTransport({}).escape(value); }

    void answer(long status, std::string body) { answers.emplace_back(LookupReply{status, std::move(body)}); }
    void fail(uploader::TransportErrc kind) {
        answers.emplace_back(Fail(LookupFailure{app::lookupProblemFor(kind), "scripted failure"}));
    }
};

/// Holds every get() until release() (to test results that arrive after staff mode was left).
class GatedTransport final : public LookupTransport {
public:
    explicit GatedTransport(std::string body) : m_body(std::move(body)) {}
    Result<LookupReply, LookupFailure> get(std::string_view, std::string_view) override {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_open; });
        return LookupReply{200, m_body};
    }
    std::string escape(std::string_view value) const override { return std::string(value); }
    void release() {
        {
            std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_cv.notify_all();
    }

private:
    std::string m_body;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_open = false;
};

class FakeAudit final : public AuditSink {
public:
    std::vector<event::Message> recorded;
    std::string failWith;
    Result<void, std::string> record(event::Message& message) override {
        if (!failWith.empty()) return Fail(failWith);
        recorded.push_back(message);
        return {};
    }
};

class FakeDeadLetters final : public DeadLetterStore {
public:
    std::vector<DeadLetterRow> rows;
    std::vector<std::optional<std::int64_t>> replayed, dropped;
    Result<std::vector<DeadLetterRow>, std::string> list(std::size_t limit) override {
        std::vector<DeadLetterRow> out(rows.begin(), rows.begin() + static_cast<long>(std::min(limit, rows.size())));
        return out;
    }
    Result<std::int64_t, std::string> replay(std::optional<std::int64_t> id) override {
        replayed.push_back(id);
        return remove(id);
    }
    Result<std::int64_t, std::string> drop(std::optional<std::int64_t> id) override {
        dropped.push_back(id);
        return remove(id);
    }

private:
    std::int64_t remove(std::optional<std::int64_t> id) {
        const auto before = rows.size();
        std::erase_if(rows, [&](const DeadLetterRow& r) { return !id || r.id == *id; });
        return static_cast<std::int64_t>(before - rows.size());
    }
};

class FakeSync final : public SyncControl {
public:
    SyncSnapshot current;
    mutable int snapshots = 0;
    int syncNowCalls = 0;
    int restarts = 0;
    SyncSnapshot snapshot() const override {
        ++snapshots;
        return current;
    }
    void syncNow() override { ++syncNowCalls; }
    void restart() override { ++restarts; }
};

class FakeRecovery final : public OutboxRecovery {
public:
    std::atomic<std::int64_t> pending{0};
    std::atomic<int> runs{0};
    RecoveryOutcome outcome;  ///< what the next run reports (set before it starts)
    std::string failWith;
    std::int64_t pendingFiles() override { return pending; }
    Result<RecoveryOutcome, std::string> recoverAll() override {
        ++runs;
        if (!failWith.empty()) return Fail(failWith);
        pending = 0;
        return outcome;
    }
};

}  // namespace touchpoint::kiosk::staff
