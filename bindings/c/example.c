/* Rewrite a prompt from a persona file with libzipp's C API.
 *
 *   cc bindings/c/example.c -Iinclude -Ltarget/release -lzipp -o zipp-example
 *   LD_LIBRARY_PATH=target/release ./zipp-example examples/personas/kenji-osaka.json "a cat"
 */
#include <stdio.h>
#include "zipp.h"

int main(int argc, char **argv) {
    if (argc < 3 || (zipp_abi_version() >> 16) != ZIPP_ABI_VERSION_MAJOR) return 2;
    ZippPersona *persona = NULL;
    ZippRewriter *rewriter = NULL;
    char *rewrite = NULL;
    if (zipp_persona_from_file(argv[1], &persona) != ZIPP_STATUS_OK ||
        zipp_rewriter_new("{\"backend\": \"rules\"}", &rewriter) != ZIPP_STATUS_OK ||
        zipp_rewriter_rewrite(rewriter, persona, argv[2], "{\"seed\": 1}", &rewrite, NULL) != ZIPP_STATUS_OK) {
        fprintf(stderr, "zipp: %s\n", zipp_last_error());
        zipp_rewriter_free(rewriter);
        zipp_persona_free(persona);
        return 1;
    }
    printf("%s\n", rewrite);
    zipp_string_free(rewrite);
    zipp_rewriter_free(rewriter);
    zipp_persona_free(persona);
    return 0;
}
