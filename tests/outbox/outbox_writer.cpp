// Test helper process: opens the outbox given on the command line and enqueues realistic kiosk events,
// writing "<messageId> <sequence>\n" to stdout only AFTER enqueue() has returned (i.e. after COMMIT).
// Used by the concurrent-writer test (a second process on the same file) and the SIGKILL crash test.
//
//   outbox_test_writer <db> <count, 0 = until killed> [--hold-after-first]
//
// With --hold-after-first the writer, after its first COMMIT, waits (up to 60 s) until another process has
// committed a row to the same file before it writes the rest, so the two writers are known to overlap.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "outbox_fixture.hpp"

namespace {

// True once the outbox holds a row this process did not write (it has written exactly one so far).
template <typename Box>
bool waitForAnotherWriter(Box& box) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        auto stats = box.stats();
        if (stats && stats->pendingCount > 1) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace touchpoint;
    const bool holdAfterFirst = argc == 4 && std::string(argv[3]) == "--hold-after-first";
    if (argc != 3 && !holdAfterFirst) {
        std::fprintf(stderr, "usage: outbox_test_writer <db> <count> [--hold-after-first]\n");
        return 2;
    }
    const long count = std::strtol(argv[2], nullptr, 10);
    outbox::testing::EventKit kit;
    SystemClock& clock = SystemClock::instance();
    event::KioskEventFactory factory(event::DeviceIdentity{"store-0001", "kiosk-02", "UTC", "0.1.0", "boot"},
                                     event::Sealer::fromPublicKeyB64(kit.keys.publicKeyB64).value(),
                                     event::IdentityHasher::fromKeyB64(kit.hashKey).value(), clock);
    outbox::OutboxOptions options;
    options.path = argv[1];
    options.busyTimeoutMs = 30000;
    auto opened = outbox::Outbox::open(options);
    if (!opened) {
        std::fprintf(stderr, "outbox_test_writer: %s\n", opened.error().message.c_str());
        return 1;
    }
    auto& box = *opened;
    for (long i = 0; count == 0 || i < count; ++i) {
        event::Message m;
        if (i % 3 == 0) {
            m = factory.signin("s", "en-US", event::SigninMethod::Phone,
                               event::Identity{event::Identity::Type::Phone, "+1555555" + std::to_string(1000 + i % 9000)},
                               false);
        } else {
            event::FeedbackAnswers a;
            a.surveyId = "store-visit";
            a.nps = static_cast<int>(i % 11);
            m = factory.feedback("s", "en-US", a, std::nullopt);
        }
        auto r = box->enqueue(m);
        if (!r) {
            std::fprintf(stderr, "outbox_test_writer: enqueue: %s\n", r.error().message.c_str());
            return 1;
        }
        // One write() per line: shorter than PIPE_BUF, so a line is never torn by the kill.
        const std::string line = m.messageId + " " + std::to_string(r->sequence) + "\n";
        if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
        if (i == 0 && holdAfterFirst && !waitForAnotherWriter(*box)) {
            std::fprintf(stderr, "outbox_test_writer: no other process wrote within 60 s\n");
            return 1;
        }
    }
    return 0;
}
