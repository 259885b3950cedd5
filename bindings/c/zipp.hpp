/* zipp.hpp - C++17 RAII wrappers over libzipp's C API (zipp.h).
 *
 * Handles live in std::unique_ptr with deleters that call the matching *_free; strings the
 * library returns are copied into std::string and freed with zipp_string_free; every failing
 * status throws zipp::Error carrying the status and zipp_last_error().
 *
 *   zipp::check_abi();
 *   auto persona = zipp::Persona::from_file("kenji-osaka.json");
 *   zipp::Rewriter rewriter(R"({"backend": "rules"})");
 *   std::cout << rewriter.rewrite(persona, "a cat", R"({"seed": 1})") << "\n";
 */
#ifndef ZIPP_HPP
#define ZIPP_HPP

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "zipp.h"

namespace zipp {

/// A libzipp call failed: status() is the ZippStatus, what() the library's message.
class Error : public std::runtime_error {
public:
    Error(ZippStatus status, const std::string &message)
        : std::runtime_error(message), status_(status) {}

    /// The status code (ZIPP_STATUS_*).
    ZippStatus status() const noexcept { return status_; }

    /// The status constant's name, e.g. "ZIPP_STATUS_INVALID_JSON".
    const char *status_name() const noexcept { return zipp_status_name(static_cast<int32_t>(status_)); }

private:
    ZippStatus status_;
};

namespace detail {

struct PersonaDeleter {
    void operator()(ZippPersona *persona) const noexcept { zipp_persona_free(persona); }
};

struct RewriterDeleter {
    void operator()(ZippRewriter *rewriter) const noexcept { zipp_rewriter_free(rewriter); }
};

struct StringDeleter {
    void operator()(char *text) const noexcept { zipp_string_free(text); }
};

using OwnedString = std::unique_ptr<char, StringDeleter>;

/// Throws zipp::Error for any status but ZIPP_STATUS_OK.
inline void check(ZippStatus status) {
    if (status != ZIPP_STATUS_OK) {
        throw Error(status, zipp_last_error());
    }
}

/// Copies a string the library returned, then frees it.
inline std::string take(char *text) {
    OwnedString owned(text);
    return owned ? std::string(owned.get()) : std::string();
}

/// The C string for an argument; refuses embedded NULs, which C would silently cut at.
inline const char *c_str(const std::string &text) {
    if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
        throw std::invalid_argument("libzipp strings cannot contain NUL characters");
    }
    return text.c_str();
}

/// NULL for an empty JSON argument (the library's defaults), else the string.
inline const char *json_or_null(const std::string &json) { return json.empty() ? nullptr : c_str(json); }

}  // namespace detail

/// Throws unless the loaded library's ABI major is the one this header was written for.
inline void check_abi() {
    if ((zipp_abi_version() >> 16) != ZIPP_ABI_VERSION_MAJOR) {
        throw Error(ZIPP_STATUS_UNSUPPORTED, "libzipp ABI major differs from zipp.h");
    }
}

/// The library's version, e.g. "0.1.0".
inline std::string version() { return zipp_version(); }

/// A validated, immutable persona; safe to share between threads. Move-only.
class Persona {
public:
    /// Loads a persona file: a zipp.persona/v1 JSON document or plain first-person text.
    static Persona from_file(const std::string &path) {
        return make(zipp_persona_from_file, path);
    }

    /// Parses and validates a JSON persona document.
    static Persona from_json(const std::string &json) { return make(zipp_persona_from_json, json); }

    /// Makes a persona from plain first-person text (at most 16 KiB).
    static Persona from_text(const std::string &text) { return make(zipp_persona_from_text, text); }

    /// Builds a persona from intake-survey answers (a JSON object).
    static Persona from_survey(const std::string &survey_json) {
        return make(zipp_persona_from_survey, survey_json);
    }

    /// The persona as pretty-printed JSON.
    std::string to_json() const {
        char *out = nullptr;
        detail::check(zipp_persona_to_json(handle_.get(), &out));
        return detail::take(out);
    }

    /// The content hash (64 hex digits).
    std::string hash() const {
        char *out = nullptr;
        detail::check(zipp_persona_hash(handle_.get(), &out));
        return detail::take(out);
    }

    /// The C handle, for calls this header does not wrap.
    const ZippPersona *get() const noexcept { return handle_.get(); }

private:
    explicit Persona(ZippPersona *handle) : handle_(handle) {}

    template <typename Constructor>
    static Persona make(Constructor constructor, const std::string &argument) {
        ZippPersona *out = nullptr;
        detail::check(constructor(detail::c_str(argument), &out));
        return Persona(out);
    }

    std::unique_ptr<ZippPersona, detail::PersonaDeleter> handle_;
};

/// A rewrite and its result record (JSON: rewrite, original, backend, error, ...).
struct Rewrite {
    std::string text;
    std::string record_json;
};

/// A rewriter: one backend, a cache and default options. Thread-safe; move-only.
class Rewriter {
public:
    /// Makes a rewriter from a JSON configuration; empty gives the model-free rules backend.
    explicit Rewriter(const std::string &config_json = std::string()) {
        ZippRewriter *out = nullptr;
        detail::check(zipp_rewriter_new(detail::json_or_null(config_json), &out));
        handle_.reset(out);
    }

    /// The rewritten prompt. Options: seed, temperature, top_p, max_new_tokens, k, word_budget,
    /// negative_prompt, on_error, examples, cache (empty for the defaults).
    std::string rewrite(const Persona &persona, const std::string &prompt,
                        const std::string &options_json = std::string()) const {
        char *text = nullptr;
        detail::check(zipp_rewriter_rewrite(handle_.get(), persona.get(), detail::c_str(prompt),
                                            detail::json_or_null(options_json), &text, nullptr));
        return detail::take(text);
    }

    /// The rewritten prompt and the whole result record.
    Rewrite rewrite_with_record(const Persona &persona, const std::string &prompt,
                                const std::string &options_json = std::string()) const {
        char *text = nullptr;
        char *record = nullptr;
        detail::check(zipp_rewriter_rewrite(handle_.get(), persona.get(), detail::c_str(prompt),
                                            detail::json_or_null(options_json), &text, &record));
        detail::OwnedString owned_record(record);
        Rewrite result{detail::take(text), std::string()};
        result.record_json = owned_record.get();
        return result;
    }

    /// Forgets every cached rewrite.
    void clear_cache() const { detail::check(zipp_rewriter_clear_cache(handle_.get())); }

    /// The C handle, for calls this header does not wrap.
    const ZippRewriter *get() const noexcept { return handle_.get(); }

private:
    std::unique_ptr<ZippRewriter, detail::RewriterDeleter> handle_;
};

}  // namespace zipp

#endif /* ZIPP_HPP */
