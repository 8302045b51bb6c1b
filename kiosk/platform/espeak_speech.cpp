#include "espeak_speech.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "common/log.hpp"
#include "espeak_library.hpp"

namespace touchpoint::kiosk::platform {

namespace {

std::atomic<bool> g_instance{false};

/// espeak-ng is loaded and started once per process and never terminated: in 1.51 espeak_Terminate() after a
/// second initialisation waits forever on its internal thread. Each EspeakSpeech only chooses the output.
/// nullptr when the library cannot be loaded (logged there) or does not start.
const EspeakLibrary* startEspeakOnce() {
    static const EspeakLibrary* const started = []() -> const EspeakLibrary* {
        const EspeakLibrary* espeak = espeakLibrary();
        if (espeak == nullptr) return nullptr;
        espeak->initializePath(nullptr);
        espeak_ng_ERROR_CONTEXT context = nullptr;
        const auto status = espeak->initialize(&context);
        espeak->clearErrorContext(&context);
        if (status != ENS_OK) {
            log::error("speech", "espeak-ng did not start (is espeak-ng-data installed?)");
            return nullptr;
        }
        return espeak;
    }();
    return started;
}

/// Level 5 is espeak-ng's own default (volume 100, 175 words a minute).
int volumeFor(int level) { return std::clamp(level, 1, kSpeechLevels) * 20; }
int rateFor(int level) {
    return std::clamp(espeakRATE_NORMAL + (std::clamp(level, 1, kSpeechLevels) - kDefaultSpeechLevel) * 30,
                      espeakRATE_MINIMUM, espeakRATE_MAXIMUM);
}

}  // namespace

EspeakSpeech::EspeakSpeech(EspeakOptions options) : m_options(std::move(options)) {
    if (g_instance.exchange(true)) throw std::logic_error("only one EspeakSpeech may exist at a time");
    m_thread = std::thread([this] { run(); });
}

EspeakSpeech::~EspeakSpeech() {
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
        m_pending.reset();
    }
    ++m_generation;  // abort whatever is being said now
    m_cv.notify_all();
    m_thread.join();
    g_instance = false;
}

void EspeakSpeech::say(const std::string& text, const std::string& language) {
    {
        std::lock_guard lock(m_mutex);
        // The generation moves before the request is visible, so the running synthesis aborts at its next
        // callback and only the newest text is ever spoken.
        m_pending = Request{text, language, ++m_generation};
    }
    m_cv.notify_all();
}

void EspeakSpeech::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_pending.reset();
        ++m_generation;
    }
    m_cv.notify_all();
}

void EspeakSpeech::setVolume(int level) { m_volume = std::clamp(level, 1, kSpeechLevels); }
void EspeakSpeech::setRate(int level) { m_rate = std::clamp(level, 1, kSpeechLevels); }

bool EspeakSpeech::waitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [this] { return !m_pending && !m_speaking.load(); });
}

bool EspeakSpeech::initialise(SpeechSink sink) {
    m_espeak = startEspeakOnce();
    if (m_espeak == nullptr) return false;
    // Synchronous: espeak_Synth() returns when the text is spoken (or abandoned), on this thread.
    const auto mode = sink == SpeechSink::Audio
                          ? static_cast<espeak_ng_OUTPUT_MODE>(ENOUTPUT_MODE_SYNCHRONOUS | ENOUTPUT_MODE_SPEAK_AUDIO)
                          : ENOUTPUT_MODE_SYNCHRONOUS;
    if (m_espeak->initializeOutput(mode, 200, nullptr) != ENS_OK) {
        if (sink == SpeechSink::Audio) return initialise(SpeechSink::Buffer);
        log::error("speech", "espeak-ng has no output");
        return false;
    }
    m_sampleRate = m_espeak->getSampleRate();
    m_espeak->setSynthCallback([](short* samples, int count, espeak_EVENT* events) {
        return EspeakSpeech::onSynth(samples, count, events);
    });
    m_voiceLanguage.clear();
    m_audible = sink == SpeechSink::Audio;
    return true;
}

int EspeakSpeech::onSynth(short* samples, int count, void* eventList) {
    auto* events = static_cast<espeak_EVENT*>(eventList);
    auto* self = events != nullptr ? static_cast<EspeakSpeech*>(events->user_data) : nullptr;
    if (self == nullptr || self->m_current == nullptr) return 0;
    auto& u = *self->m_current;
    if (samples != nullptr && count > 0) {
        u.samples += static_cast<std::size_t>(count);
        for (int i = 0; i < count; ++i) u.peak = std::max(u.peak, std::abs(static_cast<int>(samples[i])));
    }
    // Newer text or stop(): returning 1 makes espeak-ng abandon this synthesis (and its playback).
    if (self->m_generation.load() != self->m_currentGeneration) {
        u.interrupted = true;
        return 1;
    }
    return 0;
}

Utterance EspeakSpeech::speak(const Request& request) {
    Utterance u;
    u.text = request.text;
    u.language = request.language;
    if (request.language != m_voiceLanguage) {
        if (m_espeak->setVoiceByName(request.language.c_str()) != EE_OK) {
            log::warn("speech", "no espeak-ng voice for this language; using English", {{"language", request.language}});
            m_espeak->setVoiceByName("en");
        }
        m_voiceLanguage = request.language;
    }
    if (const auto* v = m_espeak->getCurrentVoice()) {
        u.voiceName = v->name != nullptr ? v->name : "";
        // `languages` is a priority byte, then the language name.
        if (v->languages != nullptr && v->languages[0] != '\0') u.voiceLanguage = v->languages + 1;
    }
    m_espeak->setParameter(espeakVOLUME, volumeFor(m_volume), 0);
    m_espeak->setParameter(espeakRATE, rateFor(m_rate), 0);
    u.sampleRate = m_sampleRate;
    m_current = &u;
    m_currentGeneration = request.generation;
    const auto rc = m_espeak->synth(request.text.c_str(), request.text.size() + 1, 0, POS_CHARACTER, 0,
                                    espeakCHARS_UTF8, nullptr, this);
    m_current = nullptr;
    u.failed = rc != EE_OK && !u.interrupted;
    return u;
}

void EspeakSpeech::run() {
    const bool up = initialise(m_options.sink);
    for (;;) {
        Request request;
        {
            std::unique_lock lock(m_mutex);
            m_speaking = false;
            m_cv.notify_all();  // waitIdle()
            m_cv.wait(lock, [this] { return m_quit || m_pending.has_value(); });
            if (m_quit) break;
            request = std::move(*m_pending);
            m_pending.reset();
            m_speaking = true;
        }
        if (!up) continue;  // logged once at start; speech stays silent
        auto u = speak(request);
        if (u.failed && m_audible) {
            // No usable audio device (nothing on the jack, no ALSA card): keep running, synthesizing to memory,
            // so the mode still works for sighted keypad users and nothing retries the device every utterance.
            log::warn("speech", "no audio device: speech is synthesized but cannot be heard");
            if (!initialise(SpeechSink::Buffer)) continue;
            u = speak(request);
        }
        if (m_options.onDone) m_options.onDone(u);
    }
}

}  // namespace touchpoint::kiosk::platform
