#include <check.h>
#include <errno.h>
#include <string.h>

#include "err.h"
#include "testutil.h"

START_TEST(config_error_names_file_line_column)
{
	err_t e;
	char buf[600];

	ck_assert_int_eq(err_set_at(&e, -EINVAL, "net.json", 12, 7,
				    "unknown property \"CidrBlok\""), -EINVAL);
	ck_assert_str_eq(err_format(&e, buf, sizeof(buf)),
			 "net.json:12:7: unknown property \"CidrBlok\"");
}
END_TEST

START_TEST(aws_error_names_code_and_request_id)
{
	err_t e;
	char buf[600];

	err_set_aws(&e, -EREMOTEIO, 403, "AccessDenied", "req-1",
		    "ec2 DescribeVpcs failed");
	ck_assert_str_eq(err_format(&e, buf, sizeof(buf)),
			 "ec2 DescribeVpcs failed (AWS AccessDenied, request id req-1, HTTP 403)");
}
END_TEST

START_TEST(null_error_record_is_accepted)
{
	ck_assert_int_eq(err_set(NULL, -ENOMEM, "x"), -ENOMEM);
	err_clear(NULL);
}
END_TEST

START_TEST(long_message_is_truncated_not_overflowed)
{
	err_t e;
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	err_set(&e, -EINVAL, "%s", big);
	ck_assert_uint_eq(strlen(e.message), ERR_MSG_MAX - 1);
}
END_TEST

START_TEST(message_may_quote_the_previous_message)
{
	err_t e;

	err_set_at(&e, -EINVAL, "a.json", 1, 2, "bad CIDR");
	err_set(&e, e.code, "cannot compare CidrBlock: %s", e.message);
	ck_assert_str_eq(e.message, "cannot compare CidrBlock: bad CIDR");
	ck_assert_str_eq(e.file, "");
	err_set_aws(&e, -EIO, 500, "InternalError", "r-1", "first");
	err_set_aws(&e, -EIO, 503, e.aws_code, e.request_id, "again: %s", e.message);
	ck_assert_str_eq(e.message, "again: first");
	ck_assert_str_eq(e.aws_code, "InternalError");
	ck_assert_str_eq(e.request_id, "r-1");
}
END_TEST

TESTUTIL_MAIN("err",
	config_error_names_file_line_column,
	aws_error_names_code_and_request_id,
	null_error_record_is_accepted,
	long_message_is_truncated_not_overflowed,
	message_may_quote_the_previous_message)
