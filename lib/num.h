/* num — exact rounding of doubles to whole numbers, without libm.
 *
 * The daemon needed libm for floor() and lround() alone (timestamps on the
 * wire, whole-number checks); libm is 0.4 MiB resident that no other
 * library driftd loads asks for. These give the same results as C99's
 * floor() and lround() (round half away from zero), -0.0 included, using
 * only integer conversion, which is exact below 2^52. Powers of two
 * (backoff) are shifts at their callers. */
#ifndef DRIFTD_NUM_H
#define DRIFTD_NUM_H

/* The largest whole number not above x; x itself when x is NaN, infinite
 * or whole (every double of magnitude 2^52 or more is). */
double num_floor(double x);

/* x rounded to the nearest whole number, halves away from zero. NaN and
 * values outside long's range give LONG_MIN, as glibc's lround does on
 * x86-64 (C leaves the result unspecified). */
long num_lround(double x);

#endif
