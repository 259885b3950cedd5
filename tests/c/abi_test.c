/* Compiled against include/zipp.h and linked against the built library by tests/c_program.rs.
 * Exercises the API as a C host does, including bad inputs; prints one line per check. */
#include <stdio.h>
#include <string.h>
#include "zipp.h"

static int passed = 0, failed = 0;

#define CHECK(cond, what)                                                        \
    do {                                                                         \
        if (cond) { passed++; }                                                  \
        else { failed++; fprintf(stderr, "FAIL %s (last error: %s)\n", what, zipp_last_error()); } \
    } while (0)

/* A log sink that replaces itself with stderr on its first record. */
static int log_calls = 0;
static void replacing_sink(int32_t level, const char *target, const char *message, void *user_data) {
    (void)level; (void)target; (void)message;
    log_calls++;
    *(int *)user_data = (int)zipp_log_set(NULL, NULL, ZIPP_LOG_OFF);
}

/* NULL for every pointer argument of every function that takes one: a status, never a crash. */
static void null_arguments(void) {
    ZippPersona *persona = NULL;
    ZippClip *clip = NULL;
    ZippMineJob *job = NULL;
    char *text = NULL;
    bool finished = false;
    float v[4];
    size_t len = 0;
    double score = 0;
    uint32_t count = 99;

    CHECK(zipp_persona_from_file(NULL, &persona) == ZIPP_STATUS_NULL_POINTER, "persona_from_file(NULL)");
    CHECK(zipp_persona_from_text(NULL, &persona) == ZIPP_STATUS_NULL_POINTER, "persona_from_text(NULL)");
    CHECK(zipp_persona_from_survey(NULL, &persona) == ZIPP_STATUS_NULL_POINTER, "persona_from_survey(NULL)");
    CHECK(zipp_persona_from_text("I love rain.", NULL) == ZIPP_STATUS_NULL_POINTER, "persona out NULL");
    CHECK(zipp_persona_to_json(NULL, &text) == ZIPP_STATUS_NULL_POINTER, "persona_to_json(NULL)");
    CHECK(zipp_persona_hash(NULL, &text) == ZIPP_STATUS_NULL_POINTER, "persona_hash(NULL)");
    CHECK(zipp_rewriter_new("{\"backend\": \"rules\"}", NULL) == ZIPP_STATUS_NULL_POINTER, "rewriter out NULL");
    CHECK(zipp_rewriter_cancel(NULL) == ZIPP_STATUS_NULL_POINTER, "rewriter_cancel(NULL)");
    CHECK(zipp_rewriter_clear_cache(NULL) == ZIPP_STATUS_NULL_POINTER, "rewriter_clear_cache(NULL)");
    CHECK(zipp_rewriter_rewrite_stream(NULL, NULL, NULL, NULL, NULL, NULL, &text, NULL) == ZIPP_STATUS_NULL_POINTER,
          "rewrite_stream(NULL)");
    CHECK(zipp_clip_load(NULL, &clip) == ZIPP_STATUS_NULL_POINTER && clip == NULL, "clip_load(NULL)");
    CHECK(zipp_clip_dim(NULL) == 0, "clip_dim(NULL)");
    CHECK(zipp_clip_embed_text(NULL, "a cat", v, 4, &len) == ZIPP_STATUS_NULL_POINTER, "clip_embed_text(NULL)");
    CHECK(zipp_clip_embed_image_file(NULL, "x.png", v, 4, &len) == ZIPP_STATUS_NULL_POINTER,
          "clip_embed_image_file(NULL)");
    CHECK(zipp_clip_embed_image_rgb8(NULL, NULL, 1, 1, 3, v, 4, &len) == ZIPP_STATUS_NULL_POINTER,
          "clip_embed_image_rgb8(NULL)");
    CHECK(zipp_clip_score_text(NULL, "x.png", "a cat", &score, NULL) == ZIPP_STATUS_NULL_POINTER,
          "clip_score_text(NULL)");
    CHECK(zipp_clip_score_images(NULL, "x.png", NULL, 1, &score, NULL) == ZIPP_STATUS_NULL_POINTER,
          "clip_score_images(NULL)");
    CHECK(zipp_mine_start(NULL, &job) == ZIPP_STATUS_NULL_POINTER && job == NULL, "mine_start(NULL)");
    CHECK(zipp_job_poll(NULL, &text) == ZIPP_STATUS_NULL_POINTER, "job_poll(NULL)");
    CHECK(zipp_job_wait(NULL, 0, &finished) == ZIPP_STATUS_NULL_POINTER, "job_wait(NULL)");
    CHECK(zipp_job_result(NULL, &text) == ZIPP_STATUS_NULL_POINTER, "job_result(NULL)");
    CHECK(zipp_default_model_path(NULL) == ZIPP_STATUS_NULL_POINTER, "default_model_path(NULL)");
    CHECK(zipp_models_unload(NULL, &count) == ZIPP_STATUS_OK && count == 0, "models_unload(NULL) unloads all");
    CHECK(zipp_models_unload(NULL, NULL) == ZIPP_STATUS_OK, "models_unload(NULL, NULL)");
    CHECK(zipp_models_unload_all(NULL) == ZIPP_STATUS_OK, "models_unload_all(NULL)");
    CHECK(text == NULL, "no output written on failure");
    zipp_job_cancel(NULL);
    zipp_job_free(NULL);
    zipp_clip_free(NULL);
    CHECK(strcmp(zipp_status_name(-1), "ZIPP_STATUS_UNKNOWN") == 0, "unknown status name");
    CHECK(strcmp(zipp_status_describe(9999), "unknown status") == 0, "unknown status description");
    CHECK(zipp_log_set(NULL, NULL, 42) == ZIPP_STATUS_INVALID_OPTIONS, "log level out of range");
}

/* Bytes that are not UTF-8 in every string argument: ZIPP_STATUS_INVALID_UTF8 with the offset. */
static void invalid_utf8(ZippPersona *persona) {
    ZippPersona *none = NULL;
    ZippRewriter *rewriter = NULL;
    ZippClip *clip = NULL;
    ZippMineJob *job = NULL;
    char *text = NULL;
    const char *truncated = "a cat \xe2\x82"; /* a three-byte sequence cut after two */
    const char *overlong = "\xc0\xaf";         /* an overlong '/' */
    const char *surrogate = "\xed\xa0\x80";   /* an encoded UTF-16 surrogate */

    CHECK(zipp_persona_from_json("{\"text\": \"\xc3\x28\"}", &none) == ZIPP_STATUS_INVALID_UTF8,
          "persona JSON with a bad byte");
    CHECK(strstr(zipp_last_error(), "offset 10") != NULL, "the offset is named");
    CHECK(zipp_persona_from_text(overlong, &none) == ZIPP_STATUS_INVALID_UTF8, "overlong encoding");
    CHECK(zipp_persona_from_text(surrogate, &none) == ZIPP_STATUS_INVALID_UTF8, "surrogate");
    CHECK(zipp_persona_from_file("\xff.json", &none) == ZIPP_STATUS_INVALID_UTF8, "file name");
    CHECK(zipp_persona_from_survey("\xfe", &none) == ZIPP_STATUS_INVALID_UTF8, "survey");
    CHECK(none == NULL, "no persona on failure");
    CHECK(zipp_rewriter_new("\xff", &rewriter) == ZIPP_STATUS_INVALID_UTF8 && rewriter == NULL, "config");
    CHECK(zipp_rewriter_new("{\"backend\": \"rules\"}", &rewriter) == ZIPP_STATUS_OK, "rules rewriter");
    CHECK(zipp_rewriter_rewrite(rewriter, persona, truncated, NULL, &text, NULL) == ZIPP_STATUS_INVALID_UTF8,
          "prompt cut inside a character");
    CHECK(strstr(zipp_last_error(), "prompt") != NULL, "the argument is named");
    CHECK(zipp_rewriter_rewrite(rewriter, persona, "a cat", "{\"seed\": \"\xff\"}", &text, NULL)
              == ZIPP_STATUS_INVALID_UTF8,
          "options");
    CHECK(text == NULL, "no rewrite on failure");
    zipp_rewriter_free(rewriter);
    CHECK(zipp_clip_load("\xff", &clip) == ZIPP_STATUS_INVALID_UTF8 && clip == NULL, "CLIP folder");
    CHECK(zipp_mine_start("{\"graph\": \"\xff\"}", &job) == ZIPP_STATUS_INVALID_UTF8 && job == NULL, "mining config");
    CHECK(zipp_models_unload("\xff", NULL) == ZIPP_STATUS_INVALID_UTF8, "model path");
}

/* A log sink that calls zipp_log_set from inside itself returns, and the new setting holds. */
static void log_sink_replaces_itself(ZippPersona *persona) {
    ZippRewriter *rewriter = NULL;
    char *text = NULL;
    int inner_status = -1;
    CHECK(zipp_log_set(replacing_sink, &inner_status, ZIPP_LOG_WARN) == ZIPP_STATUS_OK, "log_set");
    /* Nothing listens on port 1: the passed-through failure logs a warning. */
    CHECK(zipp_rewriter_new("{\"backend\": \"openai\", \"model\": \"m\", \"max_retries\": 0,"
                            " \"base_url\": \"http://127.0.0.1:1/v1\"}", &rewriter) == ZIPP_STATUS_OK,
          "openai rewriter");
    CHECK(zipp_rewriter_rewrite(rewriter, persona, "a cat", "{\"on_error\": \"passthrough\"}", &text, NULL)
              == ZIPP_STATUS_OK && text && strcmp(text, "a cat") == 0,
          "passthrough");
    zipp_string_free(text);
    CHECK(log_calls == 1 && inner_status == ZIPP_STATUS_OK, "the sink ran once and replaced itself");
    text = NULL;
    CHECK(zipp_rewriter_rewrite(rewriter, persona, "a dog", "{\"on_error\": \"passthrough\"}", &text, NULL)
              == ZIPP_STATUS_OK,
          "second passthrough");
    zipp_string_free(text);
    CHECK(log_calls == 1, "the replaced sink is not called again");
    zipp_rewriter_free(rewriter);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: abi_test PERSONA.json\n"); return 2; }

    /* Versions: the header's macros, the computed ABI number and the library agree. */
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", ZIPP_VERSION_MAJOR, ZIPP_VERSION_MINOR, ZIPP_VERSION_PATCH);
    CHECK(strcmp(zipp_version(), expected) == 0, "zipp_version matches the header macros");
    CHECK(zipp_abi_version() == ZIPP_ABI_VERSION, "zipp_abi_version == ZIPP_ABI_VERSION");
    CHECK((ZIPP_ABI_VERSION >> 16) == ZIPP_ABI_VERSION_MAJOR, "ABI major in the high 16 bits");
    CHECK((ZIPP_ABI_VERSION & 0xffff) == ZIPP_ABI_VERSION_MINOR, "ABI minor in the low 16 bits");
    CHECK(strcmp(zipp_status_name(ZIPP_STATUS_TOO_LARGE), "ZIPP_STATUS_TOO_LARGE") == 0, "status names");

    ZippPersona *persona = NULL;
    CHECK(zipp_persona_from_file(argv[1], &persona) == ZIPP_STATUS_OK && persona, "persona from file");

    ZippPersona *none = NULL;
    CHECK(zipp_persona_from_file("/nonexistent.json", &none) == ZIPP_STATUS_IO && none == NULL, "missing file");
    CHECK(zipp_persona_from_json(NULL, &none) == ZIPP_STATUS_NULL_POINTER, "NULL json");
    CHECK(strcmp(zipp_last_error(), "argument `json` is NULL") == 0, "NULL message");
    CHECK(zipp_persona_from_text("\xff", &none) == ZIPP_STATUS_INVALID_UTF8, "invalid UTF-8");
    CHECK(zipp_persona_from_json("{\"schema\":\"zipp.persona/v1\"}", &none) == ZIPP_STATUS_INVALID_PERSONA,
          "missing text");
    CHECK(strstr(zipp_last_error(), "text: missing") != NULL, "missing text message");

    ZippRewriter *rewriter = NULL;
    CHECK(zipp_rewriter_new(NULL, &rewriter) == ZIPP_STATUS_OK && rewriter, "rewriter with defaults");

    char *rewrite = NULL, *record = NULL;
    ZippStatus s = zipp_rewriter_rewrite(rewriter, persona, "a paper lantern", "{\"seed\": 2}", &rewrite, &record);
    CHECK(s == ZIPP_STATUS_OK, "rewrite");
    CHECK(rewrite && strncmp(rewrite, "a paper lantern", 15) == 0, "rewrite keeps the prompt");
    CHECK(record && strstr(record, "\"backend\":\"rules\"") != NULL, "record names the backend");
    zipp_string_free(rewrite);
    zipp_string_free(record);

    char *untouched = (char *)0x1;
    CHECK(zipp_rewriter_rewrite(rewriter, persona, "a lantern", "{\"k\": 99}", &untouched, NULL)
              == ZIPP_STATUS_INVALID_OPTIONS && untouched == (char *)0x1,
          "bad options leave outputs untouched");
    CHECK(zipp_rewriter_rewrite(NULL, persona, "a lantern", NULL, &untouched, NULL) == ZIPP_STATUS_NULL_POINTER,
          "NULL rewriter");

    null_arguments();
    invalid_utf8(persona);
    log_sink_replaces_itself(persona);

    zipp_string_free(NULL);
    zipp_rewriter_free(rewriter);
    zipp_rewriter_free(NULL);
    zipp_persona_free(persona);
    zipp_persona_free(NULL);

    printf("abi_test: %d checks passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
