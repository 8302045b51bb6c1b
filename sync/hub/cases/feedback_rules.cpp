#include "hub/cases/feedback_rules.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/text.hpp"
#include "event/message.hpp"
#include "hub/cases/notification_text.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/json_props.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

constexpr std::int64_t kMinuteMs = 60'000;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/// Per name, the rule whose store scope names `store` most closely.
template <class Rule>
std::vector<const Rule*> effective(const std::vector<Rule>& rules, const std::string& store) {
    std::map<std::string, std::pair<std::int64_t, const Rule*>> best;
    for (const auto& r : rules) {
        const auto s = r.stores.specificity(store);
        if (s < 0) continue;
        auto [it, fresh] = best.try_emplace(r.name, s, &r);
        if (!fresh && s > it->second.first) it->second = {s, &r};
    }
    std::vector<const Rule*> out;
    for (const auto& r : rules) {  // in the file's order
        auto it = best.find(r.name);
        if (it != best.end() && it->second.second == &r) out.push_back(&r);
    }
    return out;
}

bool commentMatches(const std::optional<std::string>& comment, const std::vector<std::string>& words) {
    if (!comment || comment->empty()) return false;
    const std::string folded = asciiLower(*comment);  // linear; words were lower-cased when read
    return std::any_of(words.begin(), words.end(),
                       [&](const std::string& w) { return folded.find(w) != std::string::npos; });
}

}  // namespace

std::optional<FeedbackAnswer> feedbackAnswerOf(const IngestMessage& m) {
    if (m.event != event::names::kFeedback || boolProp(m.properties, "misuse")) return std::nullopt;
    FeedbackAnswer a;
    a.messageId = m.messageId;
    a.storeId = m.storeId;
    a.kioskId = m.kioskId;
    a.atMs = m.correctedMs;
    static const json kEmpty = json::object();
    const auto it = m.properties.find("answers");
    const json& answers = it != m.properties.end() && it->is_object() ? *it : kEmpty;
    a.nps = intProp(answers, "nps", 0, 10);
    a.csat = intProp(answers, "csat", 1, 5);
    if (auto r = answers.find("reasons"); r != answers.end() && r->is_array()) {
        for (const auto& x : *r) {
            if (x.is_string()) a.reasons.push_back(x.get<std::string>().substr(0, 64));
        }
    }
    a.comment = strProp(m.properties, "comment");
    return a;
}

std::optional<ContactRequest> contactRequestOf(const IngestMessage& m, const std::string& phoneRegion) {
    if (m.event != event::names::kConsent ||
        !hasPurpose(m.properties, event::names::kPurposeFeedbackContact)) {
        return std::nullopt;
    }
    ContactRequest c;
    c.consentMessageId = m.messageId;
    c.feedbackMessageId = strProp(m.properties, "feedbackMessageId").value_or("");
    c.storeId = m.storeId;
    c.atMs = m.receivedMs;
    if (auto phone = strProp(m.properties, "phone")) {
        c.kind = "phone";
        c.value = normalizePhone(*phone, phoneRegion).value_or(std::string(trim(*phone)));
    } else if (auto email = strProp(m.properties, "email")) {
        c.kind = "email";
        c.value = normalizeEmail(*email).value_or(std::string(trim(*email)));
    }
    if (c.feedbackMessageId.empty() || c.value.empty()) return std::nullopt;  // the parser rejects these
    return c;
}

FeedbackRules::FeedbackRules(CasesConfig cases, NotificationsConfig notifications, std::string phoneRegion,
                             std::function<std::string(std::int64_t)> newId)
    : m_cases(std::move(cases)),
      m_notifications(std::move(notifications)),
      m_phoneRegion(std::move(phoneRegion)),
      m_newId(std::move(newId)) {}

bool FeedbackRules::unhappy(const FeedbackAnswer& a) const { return unhappyAt(a.nps, a.csat); }

std::vector<const AlertRule*> FeedbackRules::alertRulesFor(const std::string& store) const {
    return effective(m_cases.alerts, store);
}

std::vector<const CaseRule*> FeedbackRules::caseRulesFor(const std::string& store) const {
    return effective(m_cases.rules, store);
}

StoreResult<FeedbackRulesOutcome> FeedbackRules::apply(CaseRepository& repo,
                                                       const std::vector<const IngestMessage*>& accepted,
                                                       std::int64_t nowMs) const {
    FeedbackRulesOutcome out;
    std::map<std::string, std::vector<std::int64_t>> newTimes;  // per store, for the window rules
    std::map<std::string, StoreCaseRules> rulesByStore;          // a batch comes from few stores
    const auto rulesOf = [&](const std::string& store) -> const StoreCaseRules& {
        auto it = rulesByStore.find(store);
        if (it == rulesByStore.end()) it = rulesByStore.emplace(store, storeCaseRules(store)).first;
        return it->second;
    };
    // A contact can come before its answer. The contacts held for the answers where one could matter are asked
    // once, before the batch's own are saved: a contact saved below finds its answer (the batch's answers are
    // stored before the rules run) and opens the case from its side.
    std::vector<AnswerGlance> glances(accepted.size());
    std::vector<std::string> contactAsked;
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        const IngestMessage& m = *accepted[i];
        if (m.event != event::names::kFeedback || boolProp(m.properties, "misuse")) continue;
        glances[i] = glanceAt(m);
        if (glances[i].unhappy && rulesOf(m.storeId).contactRule) contactAsked.push_back(m.messageId);
    }
    std::set<std::pair<std::string, std::string>> contacts;
    if (!contactAsked.empty()) {
        auto given = repo.contactsGiven(contactAsked);
        if (!given) return Fail(given.error());
        contacts = std::move(given).value();
    }
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        const IngestMessage* m = accepted[i];
        if (m->event == event::names::kFeedback) {
            if (boolProp(m->properties, "misuse")) continue;
            // An answer that names no store (a web or app key's) is in no store's window.
            if (!m_cases.alerts.empty() && !m->storeId.empty()) newTimes[m->storeId].push_back(m->correctedMs);
            const auto& rules = rulesOf(m->storeId);
            const AnswerGlance& glance = glances[i];
            const bool contactMatters = glance.unhappy && rules.contactRule;
            if (!contactMatters && !(glance.comment && rules.commentRule)) continue;
            const auto a = feedbackAnswerOf(*m);
            if (!a) continue;
            const bool contact = contactMatters && contacts.count({a->messageId, a->storeId}) > 0;
            if (auto r = considerCase(repo, rules.rules, *a, contact, nowMs, out); !r) return Fail(r.error());
        } else if (auto c = contactRequestOf(*m, m_phoneRegion)) {
            auto saved = repo.saveContact(*c);
            if (!saved) return Fail(saved.error());
            if (!*saved) continue;  // a second consent for the same answer: the first one stands
            ++out.contacts;
            // The answer may be stored already (it came first, in this batch or days ago) or come later.
            auto answer = repo.feedback(c->feedbackMessageId);
            if (!answer) return Fail(answer.error());
            // Only the kiosks of the answer's own store speak for its shopper.
            if (!*answer || (*answer)->storeId != c->storeId) continue;
            if (auto r = considerCase(repo, rulesOf(c->storeId).rules, **answer, true, nowMs, out); !r) {
                return Fail(r.error());
            }
        }
    }
    for (const auto& [store, times] : newTimes) {
        if (auto r = evaluateAlerts(repo, store, times, nowMs, out); !r) return Fail(r.error());
    }
    return out;
}

FeedbackRules::StoreCaseRules FeedbackRules::storeCaseRules(const std::string& store) const {
    StoreCaseRules r;
    r.rules = caseRulesFor(store);
    for (const CaseRule* rule : r.rules) {
        (rule->kind == CaseKind::ContactRequest ? r.contactRule : r.commentRule) = true;
    }
    return r;
}

bool FeedbackRules::unhappyAt(std::optional<std::int64_t> nps, std::optional<std::int64_t> csat) const {
    return (nps && *nps <= m_cases.unhappyNpsMax) || (csat && *csat <= m_cases.unhappyCsatMax);
}

FeedbackRules::AnswerGlance FeedbackRules::glanceAt(const IngestMessage& m) const {
    AnswerGlance g;
    if (const auto it = m.properties.find("answers"); it != m.properties.end() && it->is_object()) {
        g.unhappy = unhappyAt(intProp(*it, "nps", 0, 10), intProp(*it, "csat", 1, 5));
    }
    const auto comment = m.properties.find("comment");
    g.comment = comment != m.properties.end() && comment->is_string() && !comment->get_ref<const std::string&>().empty();
    return g;
}

StoreResult<void> FeedbackRules::considerCase(CaseRepository& repo, const std::vector<const CaseRule*>& rules,
                                              const FeedbackAnswer& a, bool hasContact, std::int64_t nowMs,
                                              FeedbackRulesOutcome& out) const {
    for (const CaseRule* rule : rules) {
        const bool fires = rule->kind == CaseKind::ContactRequest ? hasContact && unhappy(a)
                                                                  : commentMatches(a.comment, rule->words);
        if (!fires) continue;
        CaseOpening c;
        c.id = m_newId(nowMs);
        c.rule = rule->name;
        c.kind = std::string(toString(rule->kind));
        c.feedbackMessageId = a.messageId;
        c.storeId = a.storeId;
        c.kioskId = a.kioskId;
        c.nps = a.nps;
        c.csat = a.csat;
        c.openedAtMs = nowMs;
        c.dueAtMs = nowMs + rule->slaHours.value_or(m_cases.slaHours) * 3'600'000;
        auto opened = repo.openCase(c);
        if (!opened) return Fail(opened.error());
        // One case per answer: the first rule that fires opens it; a contact given later joins it (the case
        // reads its answer's contact).
        if (!*opened) return {};
        ++out.cases;
        return notify(repo, false, c.id, c.storeId, casePayload(c, m_notifications.linkBaseUrl), nowMs, out);
    }
    return {};
}

StoreResult<void> FeedbackRules::evaluateAlerts(CaseRepository& repo, const std::string& store,
                                                const std::vector<std::int64_t>& newTimes, std::int64_t nowMs,
                                                FeedbackRulesOutcome& out) const {
    const auto rules = alertRulesFor(store);
    if (rules.empty() || newTimes.empty()) return {};
    std::int64_t maxWindow = 0;
    for (const AlertRule* r : rules) maxWindow = std::max(maxWindow, r->windowMinutes * kMinuteMs);
    std::vector<std::int64_t> sortedNew = newTimes;
    std::sort(sortedNew.begin(), sortedNew.end());
    const std::int64_t lo = sortedNew.front(), hi = sortedNew.back();
    // Every window that can hold a new answer: ends within W after it, starts within W before.
    auto all = repo.answers(store, lo - maxWindow, hi + maxWindow);
    if (!all) return Fail(all.error());
    const std::span<const FeedbackAnswer> answers = *all;
    std::vector<std::int64_t> unhappyBefore(answers.size() + 1, 0);  // prefix counts
    for (std::size_t i = 0; i < answers.size(); ++i)
        unhappyBefore[i + 1] = unhappyBefore[i] + (unhappy(answers[i]) ? 1 : 0);
    const auto byTime = [](const FeedbackAnswer& a, std::int64_t t) { return a.atMs < t; };

    for (const AlertRule* rule : rules) {
        const std::int64_t w = rule->windowMinutes * kMinuteMs;
        std::set<std::pair<std::int64_t, std::string>> fired;  // (period, detail) decided in this call
        // Only windows that end at an answer captured in [lo, hi + w] can hold a new one. The window
        // (end - w, end] slides over those answers; a frequent-reason rule's counts follow it, so a busy store's
        // batch costs one pass over one window, not answers x window.
        const auto first = static_cast<std::size_t>(
            std::lower_bound(answers.begin(), answers.end(), lo, byTime) - answers.begin());
        if (first == answers.size()) continue;
        std::size_t start = static_cast<std::size_t>(
            std::lower_bound(answers.begin(), answers.end(), answers[first].atMs - w + 1, byTime) - answers.begin());
        const bool countReasons = rule->kind == AlertKind::FrequentReason;
        std::map<std::string_view, std::int64_t> reasonsIn;
        auto add = [&](const FeedbackAnswer& a, std::int64_t d) {
            for (const auto& r : a.reasons) reasonsIn[r] += d;
        };
        if (countReasons) {
            for (std::size_t i = start; i < first; ++i) add(answers[i], +1);
        }
        for (std::size_t e = first; e < answers.size() && answers[e].atMs <= hi + w; ++e) {
            const std::int64_t end = answers[e].atMs;
            if (countReasons) add(answers[e], +1);
            while (answers[start].atMs <= end - w) {
                if (countReasons) add(answers[start], -1);
                ++start;
            }
            // Only windows that hold a new answer can have changed: a new time t with end - w < t <= end.
            const auto firstNew = std::upper_bound(sortedNew.begin(), sortedNew.end(), end - w);
            if (firstNew == sortedNew.end() || *firstNew > end) continue;
            const std::int64_t count = static_cast<std::int64_t>(e - start + 1);
            const std::int64_t bad = unhappyBefore[e + 1] - unhappyBefore[start];
            std::vector<std::pair<std::string, std::int64_t>> matches;  // (detail, matching count)
            switch (rule->kind) {
                case AlertKind::UnhappyShare:
                    if (count >= rule->minResponses &&
                        static_cast<double>(bad) >= rule->unhappyShare * static_cast<double>(count) - 1e-9) {
                        matches.emplace_back("", bad);
                    }
                    break;
                case AlertKind::DetractorRun:
                    if (count >= rule->run &&
                        unhappyBefore[e + 1] - unhappyBefore[e + 1 - static_cast<std::size_t>(rule->run)] ==
                            rule->run) {
                        matches.emplace_back("", rule->run);
                    }
                    break;
                case AlertKind::FrequentReason:
                    for (const auto& [reason, n] : reasonsIn) {
                        if (n >= rule->minCount && (rule->reason.empty() || reason == rule->reason)) {
                            matches.emplace_back(std::string(reason), n);
                        }
                    }
                    break;
            }
            if (matches.empty()) continue;
            const std::int64_t period = floorDiv(end, w) * w;
            std::vector<std::pair<std::string, std::int64_t>> top;
            bool topKnown = false;
            for (const auto& [detail, matching] : matches) {
                if (!fired.insert({period, detail}).second) continue;
                if (!topKnown) {
                    top = topUnhappyReasons(answers.subspan(start, e - start + 1));
                    topKnown = true;
                }
                AlertRecord a;
                a.id = m_newId(nowMs);
                a.rule = rule->name;
                a.kind = std::string(toString(rule->kind));
                a.storeId = store;
                a.detail = detail;
                a.periodStartMs = period;
                a.windowStartMs = end - w;
                a.windowEndMs = end;
                a.responses = count;
                a.unhappy = bad;
                a.matching = matching;
                a.topReasons = top;
                a.firedAtMs = nowMs;
                auto isNew = repo.recordAlert(a);
                if (!isNew) return Fail(isNew.error());
                if (!*isNew) continue;
                ++out.alerts;
                if (auto r = notify(repo, true, a.id, store, alertPayload(a, m_notifications.linkBaseUrl),
                                    nowMs, out);
                    !r) {
                    return r;
                }
            }
        }
    }
    return {};
}

std::vector<std::pair<std::string, std::int64_t>> FeedbackRules::topUnhappyReasons(
    std::span<const FeedbackAnswer> window) const {
    std::map<std::string_view, std::int64_t> counts;
    for (const auto& a : window) {
        if (!unhappy(a)) continue;
        for (const auto& r : a.reasons) ++counts[r];
    }
    std::vector<std::pair<std::string, std::int64_t>> top;
    for (const auto& [reason, n] : counts) top.emplace_back(reason, n);
    std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (top.size() > 3) top.resize(3);
    return top;
}

StoreResult<void> FeedbackRules::notify(CaseRepository& repo, bool isAlert, const std::string& refId,
                                        const std::string& store, const std::string& payload,
                                        std::int64_t nowMs, FeedbackRulesOutcome& out) const {
    auto enqueue = [&](std::string target) -> StoreResult<void> {
        ++out.notifications;
        return repo.enqueueNotification(
            {std::move(target), isAlert ? "alert" : "case", refId, store, payload, nowMs});
    };
    for (const auto& w : m_notifications.webhooks) {
        if (!w.stores.covers(store) || !(isAlert ? w.alerts : w.cases)) continue;
        if (auto r = enqueue("webhook:" + w.name); !r) return r;
    }
    if (const auto& s = m_notifications.smtp;
        s && s->stores.covers(store) && (isAlert ? s->alerts : s->cases)) {
        if (auto r = enqueue("smtp"); !r) return r;
    }
    return {};
}

}  // namespace touchpoint::hub
