#include "staff_texts.hpp"

#include <algorithm>

namespace touchpoint::kiosk::ui::staff {

namespace {

// Plain ASCII in English so the shopper font atlas always has every glyph.
std::map<std::string, std::string> english() {
    return {
        {"staff.title", "Staff mode"},
        {"staff.leave", "Leave staff mode"},
        {"staff.back", "Back"},
        {"staff.idle", "Closes by itself in {seconds} s without a touch"},
        {"staff.pin.title", "Staff PIN"},
        {"staff.pin.prompt", "Enter your staff PIN"},
        {"staff.pin.ok", "OK"},
        {"staff.pin.delete", "Delete"},
        {"staff.pin.checking", "Checking..."},
        {"staff.pin.wrong", "Wrong PIN. {n} tries left before staff mode locks."},
        {"staff.pin.locked", "Too many wrong PINs. Staff mode is locked for {time} more."},
        {"staff.pin.none", "No staff PIN is configured on this kiosk (staff.pin_hashes)."},
        {"staff.pin.storage", "The lockout file cannot be written: {detail}"},
        {"staff.home.title", "Staff mode"},
        {"staff.home.lookup", "Look up a shopper"},
        {"staff.home.sync", "Sync health"},
        {"staff.home.dead", "Dead letters ({n})"},
        {"staff.home.info", "Kiosk info"},
        {"staff.home.exit", "Exit the app"},
        {"staff.home.restart", "Restart uploader"},
        {"staff.home.sync_line", "Sync: {state}. {n} events waiting."},
        {"staff.lookup.title", "Loyalty status"},
        {"staff.lookup.phone", "Phone"},
        {"staff.lookup.email", "Email"},
        {"staff.lookup.card", "Card"},
        {"staff.lookup.phone_prompt", "Phone number"},
        {"staff.lookup.email_prompt", "Email address"},
        {"staff.lookup.card_prompt", "Member card number (or scan it)"},
        {"staff.lookup.submit", "Look up"},
        {"staff.lookup.clear", "Clear"},
        {"staff.lookup.pending", "Asking the hub..."},
        {"staff.lookup.error.empty", "Type something first."},
        {"staff.lookup.error.invalid_phone", "That is not a valid phone number."},
        {"staff.lookup.error.invalid_email", "That is not a valid email address."},
        {"staff.lookup.error.invalid_card", "That is not a valid card number."},
        {"staff.lookup.audit_failed", "Not looked up: the audit record could not be saved ({detail})."},
        {"staff.lookup.found", "Current status from the hub"},
        {"staff.lookup.not_found", "No member found for this {type}."},
        {"staff.lookup.cached", "OFFLINE - last known status from {age} ago"},
        {"staff.lookup.unavailable", "The hub cannot be reached and nothing is saved for this shopper."},
        {"staff.lookup.problem.offline", "Reason: the hub cannot be reached."},
        {"staff.lookup.problem.certificate", "Reason: the hub's certificate is not trusted."},
        {"staff.lookup.problem.clock_wrong", "Reason: this kiosk's clock looks wrong."},
        {"staff.lookup.problem.token_rejected", "Reason: the hub refused the staff token."},
        {"staff.lookup.problem.hub_error", "Reason: the hub reported an error."},
        {"staff.lookup.problem.bad_reply", "Reason: the hub's answer could not be read."},
        {"staff.lookup.problem.not_configured", "Reason: no hub or staff token is configured."},
        {"staff.lookup.problem.none", ""},
        {"staff.lookup.member", "Member {initial}."},
        {"staff.lookup.member_no_initial", "Member"},
        {"staff.lookup.tier", "Tier: {tier}"},
        {"staff.lookup.points", "Points: {points}"},
        {"staff.lookup.progress", "{points} points to {tier}"},
        {"staff.lookup.top_tier", "Top tier reached"},
        {"staff.lookup.rewards", "Rewards: {list}"},
        {"staff.lookup.no_rewards", "Rewards: none available"},
        {"staff.lookup.visits", "Last visits"},
        {"staff.lookup.visit", "{channel}: {age} ago"},
        {"staff.lookup.never", "{channel}: never"},
        {"staff.lookup.channel.in_store_kiosk", "In store"},
        {"staff.lookup.channel.web", "Web"},
        {"staff.lookup.channel.app", "App"},
        {"staff.lookup.nps", "Latest NPS: {score}"},
        {"staff.lookup.no_nps", "Latest NPS: none"},
        {"staff.lookup.stage", "Journey stage: {stage}"},
        {"staff.sync.title", "Sync health"},
        {"staff.sync.state.online", "Online"},
        {"staff.sync.state.offline", "Offline"},
        {"staff.sync.state.certificate", "Certificate problem"},
        {"staff.sync.state.token_rejected", "Token rejected"},
        {"staff.sync.state.clock_wrong", "Clock wrong"},
        {"staff.sync.state.hub_error", "Hub error"},
        {"staff.sync.state.not_configured", "No hub configured"},
        {"staff.sync.state.stopped", "Uploader stopped"},
        {"staff.sync.state.starting", "Starting"},
        {"staff.sync.advice.online", "Events are reaching the hub."},
        {"staff.sync.advice.offline", "Check the network cable or Wi-Fi. Nothing is lost: events wait on this kiosk."},
        {"staff.sync.advice.certificate", "The hub's certificate is not trusted. Call IT (CA file or hub address)."},
        {"staff.sync.advice.token_rejected", "The hub refused this kiosk's token. Call IT for a new token."},
        {"staff.sync.advice.clock_wrong", "This kiosk's clock is wrong. Call IT to fix the time."},
        {"staff.sync.advice.hub_error", "The hub is having trouble. Events wait here and are retried."},
        {"staff.sync.advice.not_configured", "This kiosk keeps events until a hub address is configured."},
        {"staff.sync.advice.stopped", "Restart the uploader."},
        {"staff.sync.advice.starting", "The uploader has not contacted the hub yet."},
        {"staff.sync.queue", "Waiting to send: {n}"},
        {"staff.sync.oldest", "Oldest waiting: {age}"},
        {"staff.sync.last_success", "Last success: {age} ago"},
        {"staff.sync.never", "Last success: never"},
        {"staff.sync.next_retry", "Next retry in: {age}"},
        {"staff.sync.dead", "Dead letters: {n}"},
        {"staff.sync.offset", "Clock offset from the hub: {offset}"},
        {"staff.sync.drops", "Dropped events: {n}"},
        {"staff.sync.drop", "  {reason}: {n}"},
        {"staff.sync.rejected", "Refused by the hub so far: {n}"},
        {"staff.sync.now", "Sync now"},
        {"staff.sync.requested", "Sync requested."},
        {"staff.sync.restarted", "Uploader restarted."},
        {"staff.dead.title", "Dead letters"},
        {"staff.dead.none", "No dead letters. Everything the hub refused would be listed here."},
        {"staff.dead.row", "{kind}: {reason}"},
        {"staff.dead.detail", "HTTP {status}, {attempts} attempts, last {age} ago"},
        {"staff.dead.replay", "Replay"},
        {"staff.dead.drop", "Drop"},
        {"staff.dead.replay_all", "Replay all"},
        {"staff.dead.drop_all", "Drop all"},
        {"staff.dead.replayed", "{n} sent back to the queue."},
        {"staff.dead.dropped", "{n} dropped (counted as dropped)."},
        {"staff.dead.more", "Showing {shown} of {n}."},
        {"staff.dead.problem", "Problem: {detail}"},
        {"staff.info.title", "Kiosk info"},
        {"staff.info.store", "Store: {value}"},
        {"staff.info.kiosk", "Kiosk: {value}"},
        {"staff.info.version", "App version: {value}"},
        {"staff.info.config", "Config file: {value}"},
        {"staff.info.disk", "Disk free: {value}"},
        {"staff.info.disk_unknown", "Disk free: unknown"},
        {"staff.info.offset", "Clock offset from the hub: {value}"},
        {"staff.info.offset_unknown", "Clock offset from the hub: not measured yet"},
        {"staff.info.clock_wrong", "This kiosk's clock differs from the hub's by more than 5 minutes."},
        {"staff.confirm.replay_one", "Send this dead letter to the hub again?"},
        {"staff.confirm.drop_one", "Drop this dead letter for good? It is counted as dropped."},
        {"staff.confirm.replay_all", "Send every dead letter to the hub again?"},
        {"staff.confirm.drop_all", "Drop every dead letter for good? They are counted as dropped."},
        {"staff.confirm.exit_app", "Exit the kiosk app? The kiosk shows nothing to shoppers until it restarts."},
        {"staff.confirm.restart_uploader", "Restart the uploader?"},
        {"staff.confirm.yes", "Yes"},
        {"staff.confirm.no", "Cancel"},
    };
}

}  // namespace

const Translations& staffTexts() {
    static const Translations texts = Translations::fromTables({{"en", english()}});
    return texts;
}

Translations withStaffTexts(const Translations& shopper) {
    std::map<std::string, std::map<std::string, std::string>> tables;
    const auto staff = english();
    std::vector<std::string> languages = shopper.languages();
    if (std::find(languages.begin(), languages.end(), "en") == languages.end()) languages.push_back("en");
    const auto keys = shopper.allKeys();
    for (const auto& language : languages) {
        auto& table = tables[language];
        for (const auto& key : keys) {
            if (shopper.has(language, key)) table[key] = shopper.text(language, key);
        }
        for (const auto& [key, text] : staff) table[key] = text;
    }
    return Translations::fromTables(std::move(tables));
}

}  // namespace touchpoint::kiosk::ui::staff
