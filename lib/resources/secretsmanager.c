/* AWS Secrets Manager: secrets for application configuration and the
 * Redis AUTH token. Member names are the botocore secretsmanager model's
 * (2017-10-17).
 *
 * The read is ListSecrets (metadata, tags, rotation) and the resource
 * policy is GetResourcePolicy, a live read; a secret's value is read
 * (GetSecretValue) only where another resource takes it by reference
 * (restable.h, "Secret values": a Redis AuthToken {"secret": ARN}). A value given in config
 * (SecretString) is RES_SENSITIVE | RES_WRITE_ONLY: sent once by
 * CreateSecret, never printed, journaled or compared, since afterwards the
 * value belongs to the application and to rotation (a new version is not
 * drift).
 *
 * GenerateSecretString, driftd's own, asks for a generated first value
 * instead (restable.h, "Generated values"): its members are
 * GetRandomPassword's request (Secrets Manager API Reference,
 * GetRandomPassword), and the RandomPassword it answers is CreateSecret's
 * SecretString, held in that request only. A Redis AUTH token, for
 * example, takes only letters, digits and !&#$^<>- (ElastiCache User
 * Guide, "Authenticating with the Valkey and Redis OSS AUTH command"):
 * ExcludeCharacters names the rest of the punctuation. */
#include <errno.h>
#include <string.h>

#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define UPDATE_SECRET(member) \
	.update_op = "UpdateSecret", \
	.update_params = "{\"SecretId\":\"$id\",\"" member "\":\"$value\"}"

/* RotateSecret sets the rotation function and schedule together; it
 * starts no rotation here (RotateImmediately false): the first one runs
 * on the schedule. */
#define ROTATE_SECRET \
	.update_op = "RotateSecret", \
	.update_params = "{\"SecretId\":\"$id\"," \
			 "\"RotationLambdaARN\":\"$attr:RotationLambdaARN\"," \
			 "\"RotationRules\":\"$attr:RotationRules\"," \
			 "\"RotateImmediately\":false}"

static const res_attr_t secret_attrs[] = {
	{ .name = "Name", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  UPDATE_SECRET("Description") },
	{ .name = "KmsKeyId", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  UPDATE_SECRET("KmsKeyId") },
	{ .name = "SecretString", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_SENSITIVE | RES_WRITE_ONLY },
	{ .name = "GenerateSecretString", .kind = RES_OBJECT,
	  .mutability = RES_CREATE_ONLY, .flags = RES_WRITE_ONLY,
	  .generate = { "GetRandomPassword", NULL, "RandomPassword", NULL },
	  .generate_into = "SecretString" },
	{ .name = "RotationLambdaARN", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, ROTATE_SECRET },
	{ .name = "RotationRules", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, ROTATE_SECRET },
	{ .name = "ResourcePolicy", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = norm_iam_policy,
	  .update_op = "PutResourcePolicy",
	  .update_params = "{\"SecretId\":\"$id\",\"ResourcePolicy\":\"$value\","
			   "\"BlockPublicPolicy\":true}",
	  .live_read = { "GetResourcePolicy", "{\"SecretId\":\"$id\"}", "ResourcePolicy" } },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "ARN", .mutability = RES_READ_ONLY },
	{ .name = "RotationEnabled", .mutability = RES_READ_ONLY },
};

/* GetRandomPassword's request members (botocore secretsmanager
 * 2017-10-17, GetRandomPasswordRequest). */
static const char *const generate_members[] = {
	"PasswordLength", "ExcludeCharacters", "ExcludeNumbers",
	"ExcludePunctuation", "ExcludeUppercase", "ExcludeLowercase",
	"IncludeSpace", "RequireEachIncludedType", NULL
};

static int secret_check(const res_type_t *t, const char *environment,
			const cJSON *desired, const cJSON **at, err_t *err)
{
	const cJSON *gen = cJSON_GetObjectItemCaseSensitive(desired,
							    "GenerateSecretString");
	const cJSON *m;
	size_t i;

	(void)t;
	(void)environment;
	if (!gen)
		return 0;
	*at = gen;
	if (cJSON_GetObjectItemCaseSensitive(desired, "SecretString"))
		return err_set(err, -EINVAL, "GenerateSecretString and SecretString "
			       "are exclusive: set one");
	if (!cJSON_IsObject(gen))
		return err_set(err, -EINVAL, "GenerateSecretString is an object of "
			       "GetRandomPassword's parameters");
	cJSON_ArrayForEach(m, gen) {
		for (i = 0; generate_members[i] &&
			    strcmp(generate_members[i], m->string); i++)
			;
		*at = m;
		if (!generate_members[i])
			return err_set(err, -EINVAL, "GenerateSecretString: %s is not a "
				       "GetRandomPassword parameter", m->string);
		if (i == 0 ? !cJSON_IsNumber(m) || m->valuedouble < 1 ||
			     m->valuedouble > 4096 :
		    i == 1 ? !cJSON_IsString(m) : !cJSON_IsBool(m))
			return err_set(err, -EINVAL, "GenerateSecretString: %s is %s",
				       m->string, i == 0 ? "a length of 1 to 4096" :
				       i == 1 ? "a string" : "true or false");
	}
	return 0;
}

static const res_hooks_t secret_hooks = { .check = secret_check };

static const char *const secret_names[] = { "Name", NULL };
static const char *const after_key[] = { "kms.key", NULL };

const res_type_t res_secretsmanager_types[] = {
	{ .name = "secretsmanager.secret", .arn = "arn:{partition}:secretsmanager:{region}:{account}:secret:{Name}-*", .service = "secretsmanager",
	  .summary = "a Secrets Manager secret (KMS key, rotation, resource policy); "
		     "its value is never read",
	  .identity = RES_ID_NAME, .name_attrs = secret_names,
	  .id_path = "ARN", .arn_path = "ARN",
	  .read = { "ListSecrets", NULL, "SecretList" },
	  .read_one = { "DescribeSecret", "{\"SecretId\":\"$id\"}", NULL },
	  .create = { "CreateSecret", "{\"Tags\":\"$tags\"}", NULL },
	  .remove = { "DeleteSecret", "{\"SecretId\":\"$id\",\"RecoveryWindowInDays\":30}",
		      NULL },
	  .tag = { "TagResource", "{\"SecretId\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagResource", "{\"SecretId\":\"$id\",\"TagKeys\":\"$tag_keys\"}",
		     NULL },
	  .tag_style = RES_TAGS_LIST,
	  .depends_on_types = after_key,
	  .attrs = secret_attrs, .n_attrs = N_ELEMS(secret_attrs),
	  .hooks = &secret_hooks },
};

const size_t res_secretsmanager_n_types = N_ELEMS(res_secretsmanager_types);
