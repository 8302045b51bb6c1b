#pragma once
// Speech output with espeak-ng behind core's SpeechOutput port. Synthesis runs on its own thread: say()
// only hands the text over and returns, so a frame never waits for speech. New text (or stop()) cancels what
// is still being said: the synthesis callback sees the request is stale and aborts. One voice per language.
// espeak-ng keeps its state in globals, so only one EspeakSpeech may exist in a process at a time. The library
// is loaded by the first EspeakSpeech's thread (espeak_library.hpp), not when the kiosk starts.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/speech_port.hpp"

namespace touchpoint::kiosk::platform {

struct EspeakLibrary;

enum class SpeechSink {
    Audio,   ///< played on the default audio device (the headphone jack); falls back to Buffer without one
    Buffer,  ///< synthesized to memory and dropped (tests, benches, kiosks without audio)
};

/// What one request produced (for tests and logs).
struct Utterance {
    std::string text;
    std::string language;       ///< asked for
    std::string voiceName;      ///< espeak-ng's voice, e.g. "German"
    std::string voiceLanguage;  ///< the voice's language, e.g. "de", "en-gb"
    std::size_t samples = 0;    ///< 16-bit mono samples synthesized
    int sampleRate = 0;
    int peak = 0;               ///< largest absolute sample (follows the volume)
    bool interrupted = false;   ///< cancelled by newer text or stop()
    bool failed = false;
};

struct EspeakOptions {
    SpeechSink sink = SpeechSink::Audio;
    /// Called on the speech thread after each request (tests); must not block.
    std::function<void(const Utterance&)> onDone;
};

class EspeakSpeech final : public SpeechOutput {
public:
    /// Starts the speech thread (it initialises espeak-ng there, off the UI thread). Throws std::logic_error
    /// if another EspeakSpeech exists.
    explicit EspeakSpeech(EspeakOptions options = {});
    ~EspeakSpeech() override;
    EspeakSpeech(const EspeakSpeech&) = delete;
    EspeakSpeech& operator=(const EspeakSpeech&) = delete;

    void say(const std::string& text, const std::string& language) override;
    void stop() override;
    void setVolume(int level) override;
    void setRate(int level) override;

    /// Waits until nothing is pending or being spoken; false on timeout (tests).
    bool waitIdle(std::chrono::milliseconds timeout);
    /// True while a request is being synthesized or played.
    bool speaking() const { return m_speaking.load(); }
    /// False when the audio device could not be used and speech goes to a buffer only.
    bool audible() const { return m_audible.load(); }

private:
    struct Request {
        std::string text;
        std::string language;
        std::uint64_t generation = 0;
    };
    void run();
    bool initialise(SpeechSink sink);
    Utterance speak(const Request& request);
    static int onSynth(short* samples, int count, void* events);

    EspeakOptions m_options;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::optional<Request> m_pending;
    bool m_quit = false;
    std::atomic<std::uint64_t> m_generation{0};  ///< bumped by say() and stop(): older requests abort
    std::atomic<bool> m_speaking{false};
    std::atomic<bool> m_audible{false};
    std::atomic<int> m_volume{kDefaultSpeechLevel};
    std::atomic<int> m_rate{kDefaultSpeechLevel};
    // Speech thread only.
    const EspeakLibrary* m_espeak = nullptr;  ///< loaded by the first initialise()
    std::string m_voiceLanguage;
    Utterance* m_current = nullptr;
    std::uint64_t m_currentGeneration = 0;
    int m_sampleRate = 0;
    std::thread m_thread;  // last: started after every member it uses
};

}  // namespace touchpoint::kiosk::platform
