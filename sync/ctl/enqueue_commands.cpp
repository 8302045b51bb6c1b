// `enqueue signin|feedback`: one event through the same factory and outbox path the kiosk uses.

#include <cstdio>
#include <string>

#include "common/uuid.hpp"
#include "ctl/commands.hpp"
#include "ctl/identity_input.hpp"

namespace touchpoint::ctl {

namespace {

void report(const event::Message& m, const outbox::EnqueueReceipt& r) {
    std::printf("enqueued %s (%s) sequence %lld, %zu bytes\n", m.messageId.c_str(),
                std::string(event::toString(m.kind)).c_str(), static_cast<long long>(r.sequence), r.bytes);
    for (const auto& reason : r.evictedReasons) std::printf("  made room: %s\n", reason.c_str());
}

int enqueueMessage(Context& context, event::Message& m) {
    auto r = context.outbox().enqueue(m);
    if (!r) throw RuntimeError(std::string(outbox::toString(r.error().code)) + ": " + r.error().message);
    report(m, *r);
    return 0;
}

struct SigninOptions {
    std::string phone, email, member;  // exactly one is given (CLI11 checks)
    bool newMember = false;
    std::string locale = "en-US";
};

int runSignin(Context& context, const SigninOptions& o) {
    const auto& [phone, email, member] = std::tie(o.phone, o.email, o.member);
    const bool newMember = o.newMember;
    const std::string& locale = o.locale;
    event::Identity id;
    event::SigninMethod method = event::SigninMethod::Card;
    Result<std::string, std::string> value = Fail(std::string());
    if (!phone.empty()) {
        id.type = event::Identity::Type::Phone;
        method = event::SigninMethod::Phone;
        value = normalizePhone(phone, context.phoneRegion());
    } else if (!email.empty()) {
        id.type = event::Identity::Type::Email;
        method = event::SigninMethod::Email;
        value = normalizeEmail(email);
    } else {
        id.type = event::Identity::Type::Member;
        value = normalizeMember(member);
    }
    if (!value) throw UsageError(value.error());
    id.value = value.value();
    event::Message m = context.factory().signin(newUuidV4(), locale, method, id, newMember);
    return enqueueMessage(context, m);
}

struct FeedbackOptions {
    event::FeedbackAnswers answers;
    int nps = 0;
    std::string locale = "en-US";
};

int runFeedback(Context& context, FeedbackOptions o) {
    event::FeedbackAnswers answers = std::move(o.answers);
    answers.nps = o.nps;
    const std::string& locale = o.locale;
    if (answers.comment.size() > 2000) throw UsageError("--comment is longer than 2000 characters");
    event::Message m = context.factory().feedback(newUuidV4(), locale, answers, std::nullopt);
    return enqueueMessage(context, m);
}

}  // namespace

void enqueueCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand("enqueue", "enqueue one event as the kiosk would (sealed, durable)");
    cmd->require_subcommand(1);

    auto in = std::make_shared<SigninOptions>();
    auto* signin = cmd->add_subcommand("signin", "a loyalty sign-in");
    auto* phone = signin->add_option("--phone", in->phone, "NUMBER (national numbers use the config's phone region)");
    auto* email = signin->add_option("--email", in->email, "ADDRESS");
    auto* member = signin->add_option("--member", in->member, "member card ID");
    phone->excludes(email, member);
    email->excludes(member);
    signin->add_flag("--new-member", in->newMember, "the shopper joined now");
    signin->add_option("--locale", in->locale, "BCP 47 locale")->capture_default_str();
    runs(signin, chosen, [in](Context& context) {
        if (in->phone.empty() + in->email.empty() + in->member.empty() != 2) {
            throw UsageError("enqueue signin needs exactly one of --phone, --email, --member");
        }
        return runSignin(context, *in);
    });

    auto fb = std::make_shared<FeedbackOptions>();
    fb->answers.surveyId = "store-visit";
    auto* feedback = cmd->add_subcommand("feedback", "a feedback answer (the comment is sealed)");
    feedback->add_option("--survey", fb->answers.surveyId, "survey id")->capture_default_str();
    feedback->add_option("--nps", fb->nps, "0..10")->required()->check(CLI::Range(0, 10));
    feedback->add_option("--csat", fb->answers.csat, "1..5")->check(CLI::Range(1, 5));
    feedback->add_option("--ces", fb->answers.ces, "1..7")->check(CLI::Range(1, 7));
    feedback->add_option("--comment", fb->answers.comment, "free text, up to 2000 characters");
    feedback->add_option("--reason", fb->answers.reasons, "a reason id; repeat for more")
        ->allow_extra_args(false)
        ->take_all();
    feedback->add_option("--locale", fb->locale, "BCP 47 locale")->capture_default_str();
    runs(feedback, chosen, [fb](Context& context) { return runFeedback(context, *fb); });
}

}  // namespace touchpoint::ctl
