// A small program that runs the uploader against a hub until killed (or, with --until-empty, until the
// outbox is drained), for the SIGKILL test: a real process dying between the hub's commit and the local
// delete. Prints "started" once the worker runs and "drained" when the queue is empty.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "uploader/uploader.hpp"

int main(int argc, char** argv) {
    using namespace touchpoint::uploader;
    using namespace std::chrono_literals;
    UploaderOptions o;
    bool untilEmpty = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--db" && hasValue) o.outboxPath = argv[++i];
        else if (a == "--hub" && hasValue) o.http.baseUrl = argv[++i];
        else if (a == "--ca" && hasValue) o.http.caFile = argv[++i];
        else if (a == "--token" && hasValue) o.token = argv[++i];
        else if (a == "--until-empty") untilEmpty = true;
        else {
            std::fprintf(stderr, "usage: uploader_process --db PATH --hub URL --ca FILE --token T [--until-empty]\n");
            return 2;
        }
    }
    o.backoffBase = 50ms;
    o.backoffCap = 200ms;
    o.recoveryDelayMax = 0ms;
    o.idlePoll = 50ms;
    o.http.totalTimeout = 120s;
    o.http.lowSpeedTime = 120s;
    const CurlGlobal curl;
    auto u = Uploader::create(o);
    if (!u) {
        std::fprintf(stderr, "%s\n", u.error().c_str());
        return 1;
    }
    (*u)->start();
    std::printf("started\n");
    std::fflush(stdout);
    for (;;) {
        if (untilEmpty && (*u)->flush(60s) == FlushResult::Empty) {
            std::printf("drained\n");
            std::fflush(stdout);
            return 0;
        }
        std::this_thread::sleep_for(100ms);
    }
}
