// The espeak-ng adapter with no audio device: speech is synthesized into a buffer and the result checked
// (samples produced, the voice of the language asked for, volume and speed applied, newer text cancelling
// older text, say() returning at once).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "platform/espeak_speech.hpp"

namespace touchpoint::kiosk::platform {
namespace {

using namespace std::chrono_literals;

class Recorder {
public:
    EspeakOptions options() {
        EspeakOptions o;
        o.sink = SpeechSink::Buffer;
        o.onDone = [this](const Utterance& u) {
            std::lock_guard lock(m_mutex);
            m_done.push_back(u);
        };
        return o;
    }
    std::vector<Utterance> done() {
        std::lock_guard lock(m_mutex);
        return m_done;
    }

private:
    std::mutex m_mutex;
    std::vector<Utterance> m_done;
};

TEST(EspeakSpeech, EachLanguageIsSpokenInItsOwnVoice) {
    Recorder rec;
    EspeakSpeech speech(rec.options());
    const std::vector<std::pair<std::string, std::string>> lines{
        {"en", "7, button, 8 of 11"}, {"es", "7, botón, 8 de 11"}, {"fr", "7, bouton, 8 sur 11"},
        {"de", "7, Schaltfläche, 8 von 11"}, {"pt", "7, botão, 8 de 11"}};
    for (const auto& [lang, text] : lines) {
        speech.say(text, lang);
        ASSERT_TRUE(speech.waitIdle(10s));
    }
    const auto done = rec.done();
    ASSERT_EQ(done.size(), lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        SCOPED_TRACE(lines[i].first);
        EXPECT_FALSE(done[i].failed);
        EXPECT_FALSE(done[i].interrupted);
        EXPECT_EQ(done[i].text, lines[i].second);
        EXPECT_GT(done[i].sampleRate, 0);
        // At least half a second of speech for a phrase of this length.
        EXPECT_GT(done[i].samples, static_cast<std::size_t>(done[i].sampleRate / 2));
        EXPECT_EQ(done[i].voiceLanguage.substr(0, 2), lines[i].first) << done[i].voiceName;
    }
    EXPECT_FALSE(speech.audible());
}

TEST(EspeakSpeech, VolumeAndSpeedChangeWhatIsSynthesized) {
    Recorder rec;
    EspeakSpeech speech(rec.options());
    const std::string text = "Thank you for your feedback. Have a great day.";
    speech.setRate(1);
    speech.setVolume(2);
    speech.say(text, "en");
    ASSERT_TRUE(speech.waitIdle(10s));
    speech.setRate(10);
    speech.setVolume(10);
    speech.say(text, "en");
    ASSERT_TRUE(speech.waitIdle(10s));
    const auto done = rec.done();
    ASSERT_EQ(done.size(), 2u);
    EXPECT_GT(done[0].samples, done[1].samples * 3 / 2) << "slow speech is longer";
    EXPECT_GT(done[1].peak, done[0].peak * 2) << "loud speech has larger samples";
}

TEST(EspeakSpeech, NewTextCancelsTheOldAndSayNeverWaits) {
    Recorder rec;
    EspeakSpeech speech(rec.options());
    std::string longText;
    for (int i = 0; i < 60; ++i) longText += "This sentence is long so that speaking it takes a while. ";
    speech.setRate(1);
    speech.say(longText, "en");
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!speech.speaking() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(speech.speaking());
    const auto t0 = std::chrono::steady_clock::now();
    speech.say("Next", "en");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5ms);  // a frame never waits for speech
    ASSERT_TRUE(speech.waitIdle(10s));
    const auto done = rec.done();
    ASSERT_EQ(done.size(), 2u);
    EXPECT_TRUE(done[0].interrupted);
    EXPECT_FALSE(done[1].interrupted);
    EXPECT_EQ(done[1].text, "Next");
    EXPECT_GT(done[1].samples, 0u);

    // stop() silences without anything new.
    speech.say(longText, "en");
    while (!speech.speaking() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
    speech.stop();
    ASSERT_TRUE(speech.waitIdle(10s));
    const auto after = rec.done();
    ASSERT_EQ(after.size(), 3u);
    EXPECT_TRUE(after[2].interrupted);
}

TEST(EspeakSpeech, TheAudioSinkStillSpeaksWhereThereIsNoAudioDevice) {
    // On the build machines there is no sound card: the adapter must fall back to a buffer, not fail or hang.
    Recorder rec;
    auto options = rec.options();
    options.sink = SpeechSink::Audio;
    EspeakSpeech speech(options);
    speech.say("Speech is on.", "en");
    ASSERT_TRUE(speech.waitIdle(20s));
    const auto done = rec.done();
    ASSERT_EQ(done.size(), 1u);
    EXPECT_FALSE(done[0].failed);
    EXPECT_GT(done[0].samples, 0u);
}

/// True when a file whose name starts with `name` is mapped into this process (/proc/self/maps).
bool mapped(const std::string& name) {
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        if (line.find("/" + name) != std::string::npos) return true;
    }
    return false;
}

/// 0 when espeak-ng is not loaded before an EspeakSpeech speaks and is loaded after; says which step failed.
int loadedOnlyOnceSpeaking() {
    const std::string library = "libespeak-ng.so";
    if (mapped(library)) {
        std::fprintf(stderr, "%s was loaded before any speech\n", library.c_str());
        return 1;
    }
    Recorder rec;
    {
        EspeakSpeech speech(rec.options());
        speech.say("Speech is on.", "en");
        if (!speech.waitIdle(10s)) return 2;
    }
    const auto done = rec.done();
    if (done.size() != 1 || done[0].failed || done[0].samples == 0) {
        std::fprintf(stderr, "nothing was synthesized\n");
        return 3;
    }
    if (!mapped(library)) {
        std::fprintf(stderr, "%s is not mapped after speaking\n", library.c_str());
        return 4;
    }
    return 0;
}

TEST(EspeakSpeech, TheLibraryIsLoadedOnlyWhenSpeechStarts) {
    // The kiosk does not link espeak-ng (espeak_library.hpp). Run in a new process of its own, so that no
    // earlier test in this one has loaded it.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(std::exit(loadedOnlyOnceSpeaking()), ::testing::ExitedWithCode(0), "");
}

TEST(EspeakSpeech, OnlyOneInstanceAtATime) {
    EspeakSpeech first(EspeakOptions{SpeechSink::Buffer, {}});
    EXPECT_THROW(EspeakSpeech(EspeakOptions{SpeechSink::Buffer, {}}), std::logic_error);
}

}  // namespace
}  // namespace touchpoint::kiosk::platform
