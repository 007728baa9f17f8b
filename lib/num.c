#include "num.h"

#include <limits.h>

/* From 2^52 on, a double has no fraction bits. */
#define NUM_WHOLE_FROM 0x1p52

double num_floor(double x)
{
	double t;

	if (!(x > -NUM_WHOLE_FROM && x < NUM_WHOLE_FROM))
		return x;              /* whole, infinite or NaN */
	t = (double)(long long)x;  /* toward zero, exact here */
	if (t == x)
		return x;              /* keeps -0.0 */
	return t > x ? t - 1 : t;
}

long num_lround(double x)
{
	long long t;
	double frac;

	if (!(x > -NUM_WHOLE_FROM && x < NUM_WHOLE_FROM)) {
		/* 2^63 is the first double past LONG_MAX; -2^63 is LONG_MIN. */
		if (x >= -0x1p63 && x < 0x1p63)
			return (long)x;
		return LONG_MIN;
	}
	t = (long long)x;
	frac = x - (double)t;      /* exact: the bits below the point */
	if (frac >= 0.5)
		t++;
	else if (frac <= -0.5)
		t--;
	return (long)t;
}
