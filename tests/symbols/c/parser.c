/* Parser of the wire format.
 * @exposes App:Parser to Tampering
 */

#include <stddef.h>
#include <string.h>

/** A parsed frame. */
struct frame {
    /* @exposes App:Frame to Tampering */
    size_t len;
    char *data;
};

typedef struct {
    int code; /* @exposes App:Parser to Tampering */
} status_t;

/**
 * Parses one frame.
 * @exposes App:Parser to Tampering
 */
[[nodiscard]]
int parse_frame(const char *buf, size_t len, struct frame *out)
{
    // @exposes App:Parser to Tampering
    out->len = len;
    memcpy(out->data, buf, len);
    return 0;
}

/** @exposes App:Parser to Tampering */
static char *frame_dup(const struct frame *f)
{
    return f->data;
}

// @exposes App:Parser to Tampering

void frame_free(struct frame *f);
