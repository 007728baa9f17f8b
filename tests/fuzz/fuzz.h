/* fuzz — libFuzzer entry points, one harness per file (fuzz_NAME.c, corpus
 * in corpus/NAME/). Built with clang -fsanitize=fuzzer by `make fuzz`, and
 * with the regression driver (driver.c, a main() feeding each corpus file
 * once) for `make check`. A harness must not leak, print or exit. */
#ifndef DRIFTD_FUZZ_H
#define DRIFTD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated malloc'd copy (inputs are not terminated). */
char *fuzz_text(const uint8_t *data, size_t size);

#endif
