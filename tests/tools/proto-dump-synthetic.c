/* proto-dump-synthetic — proto-dump (same commands, same output) over the
 * synthetic models of tests/proto-synthetic instead of AWS's: lib/proto.c
 * serializes traits no operation driftd calls has (a member's own
 * "flattened"), and tests/test_proto_oracle.py compares the result with
 * botocore serializing the same models.
 *
 * The generated tables define model_shapes, model_operations and the rest,
 * so the linker takes no lib/model_data.o from libdriftd.a. */
#include "../proto-synthetic/model_data.c"
#include "proto-dump.c"
