/* surrogates.h: the surrogate-derivative families of DESIGN section 2.
 *
 * SURROGATE(ID, name, nparams, p0 name, p0 default, p1 name, p1 default)
 * A default of NAN is derived from the other parameter (gaussian's peak is
 * 1/sqrt(2 pi var)). psi(v) for each family is in compiler/surrogate.c. */
#ifndef SURROGATE
#error "define SURROGATE(...) before including surrogates.h"
#endif

SURROGATE(GAUSSIAN,         "gaussian",         2, "var",   0.15, "peak", NAN)
SURROGATE(FAST_SIGMOID,     "fast_sigmoid",     1, "slope", 25.0, NULL,   0.0)
SURROGATE(ATAN,             "atan",             1, "alpha", 2.0,  NULL,   0.0)
SURROGATE(SIGMOID,          "sigmoid",          1, "slope", 5.0,  NULL,   0.0)
SURROGATE(TRIANGLE,         "triangle",         1, "width", 1.0,  NULL,   0.0)
SURROGATE(RECT,             "rect",             1, "width", 1.0,  NULL,   0.0)
SURROGATE(STRAIGHT_THROUGH, "straight_through", 0, NULL,    0.0,  NULL,   0.0)
