/* normalize — canonical forms for values AWS returns in another shape than
 * the operator wrote, so that equal meaning compares equal. Each function
 * is a res_normalize_fn: it returns a new tree (caller frees) or NULL with
 * err set. */
#ifndef DRIFTD_NORMALIZE_H
#define DRIFTD_NORMALIZE_H

#include <cJSON.h>

#include "err.h"

/* A JSON document given as text or as a tree; parsed, keys sorted. */
cJSON *norm_json_document(const cJSON *value, err_t *err);
/* An IAM policy document: Statement as a set, single strings and
 * one-element arrays alike, Action/NotAction lower-cased (IAM action names
 * are case-insensitive), Resource/Principal/Condition value lists as sets.
 * See IAM JSON policy elements reference. */
cJSON *norm_iam_policy(const cJSON *value, err_t *err);
/* An IPv4 or IPv6 CIDR in canonical text (IPv6 compressed, lower case);
 * an array of them element by element. */
cJSON *norm_cidr(const cJSON *value, err_t *err);
/* Strings lower-cased (case-insensitive enums); arrays element-wise. */
cJSON *norm_lower(const cJSON *value, err_t *err);

/* Checks a CIDR's syntax: address, prefix length in range, no host bits
 * set. 0 or -EINVAL with err naming what is wrong. */
int norm_check_cidr(const cJSON *value, err_t *err);

#endif
