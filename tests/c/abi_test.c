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

    zipp_string_free(NULL);
    zipp_rewriter_free(rewriter);
    zipp_rewriter_free(NULL);
    zipp_persona_free(persona);
    zipp_persona_free(NULL);

    printf("abi_test: %d checks passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
