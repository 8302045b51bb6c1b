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

int runSignin(Context& context, Args& args) {
    auto phone = args.option("--phone");
    auto email = args.option("--email");
    auto member = args.option("--member");
    const bool newMember = args.flag("--new-member");
    const std::string locale = args.option("--locale").value_or("en-US");
    args.finish();
    if (static_cast<int>(phone.has_value()) + static_cast<int>(email.has_value()) + static_cast<int>(member.has_value()) != 1) {
        throw UsageError("enqueue signin needs exactly one of --phone, --email, --member");
    }
    event::Identity id;
    event::SigninMethod method = event::SigninMethod::Card;
    Result<std::string, std::string> value = Fail(std::string());
    if (phone) {
        id.type = event::Identity::Type::Phone;
        method = event::SigninMethod::Phone;
        value = normalizePhone(*phone, context.phoneRegion());
    } else if (email) {
        id.type = event::Identity::Type::Email;
        method = event::SigninMethod::Email;
        value = normalizeEmail(*email);
    } else {
        id.type = event::Identity::Type::Member;
        value = normalizeMember(*member);
    }
    if (!value) throw UsageError(value.error());
    id.value = value.value();
    event::Message m = context.factory().signin(newUuidV4(), locale, method, id, newMember);
    return enqueueMessage(context, m);
}

int runFeedback(Context& context, Args& args) {
    event::FeedbackAnswers answers;
    answers.surveyId = args.option("--survey").value_or("store-visit");
    answers.nps = args.intOption("--nps", 0, 10);
    const auto csat = args.intOption("--csat", 1, 5);
    const auto ces = args.intOption("--ces", 1, 7);
    if (csat) answers.csat = static_cast<int>(*csat);
    if (ces) answers.ces = static_cast<int>(*ces);
    answers.comment = args.option("--comment").value_or("");
    answers.reasons = args.options("--reason");
    const std::string locale = args.option("--locale").value_or("en-US");
    args.finish();
    if (!answers.nps) throw UsageError("enqueue feedback needs --nps 0..10");
    if (answers.comment.size() > 2000) throw UsageError("--comment is longer than 2000 characters");
    event::Message m = context.factory().feedback(newUuidV4(), locale, answers, std::nullopt);
    return enqueueMessage(context, m);
}

}  // namespace

CommandGroup enqueueCommands() {
    return {"enqueue",
            "  enqueue signin --phone NUMBER | --email ADDRESS | --member ID [--new-member] [--locale L]\n"
            "  enqueue feedback --nps 0..10 [--csat 1..5] [--ces 1..7] [--comment TEXT] [--reason ID]...\n",
            [](Context& context, Args& args) {
                auto what = args.positional();
                if (what == "signin") return runSignin(context, args);
                if (what == "feedback") return runFeedback(context, args);
                throw UsageError("enqueue needs 'signin' or 'feedback'");
            }};
}

}  // namespace touchpoint::ctl
