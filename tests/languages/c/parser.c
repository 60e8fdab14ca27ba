/**
 * @component C:Parser (#c_parser) [compute]
 * @threat Buffer overflow (#c_overflow) [critical] cwe:CWE-120
 */
#include <string.h>

#define TRAP "// @threat Macro string TRAP"

/*! @control Bounded copies (#c_bounded) */

// @threat Format string (#c_format):
//   severity: high
//   cwe: CWE-134
//   description: User text reaches printf.

static const char *other = "/* @threat String TRAP */";

int parse(char *dst, const char *src, size_t n) {
    strncpy(dst, src, n); // @mitigates C:Parser against #c_overflow with #c_bounded
    /* @exposes C:Parser to #c_format with printf(src) */
    char c = '@';
    // TODO @mitigates C:Parser against #c_format
    // @skip @mitigates C:Parser against #c_format
    return c + (int)strlen(other) + (int)sizeof(TRAP);
}

/*
 * @threat Integer wrap (#c_wrap):
 *   likelihood: low
 *   description: Lengths wrap around. */
// Line comments continue \
   @review C:Parser spliced comment lines are still comments
