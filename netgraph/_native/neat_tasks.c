/* Fitness computed natively: a data set (fitness = offset - cost) and the tasks of
 * netgraph.neat.tasks (XOR, multiplexer, single and double pole balancing). Each evaluates
 * one genome; neat.c runs them over the population with the GIL released.
 */
#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdlib.h>
#include <string.h>

#include "neat_tasks.h"

/* ---------------------------------------------------------------- data sets */

/* fitness = offset - cost over rows X[k, nin] -> Y[k, nout]. "sse" and "sae" subtract
 * each output's term in turn, as neat-python's XOR example does
 * (fitness -= (output - target) ** 2), so an equivalent callback gives the same bits.
 * A recurrent genome steps through the rows in order from a cleared state. */
double eval_dataset(Net *net, const Genome *g, const NeatConfig *c, const double *X,
                    const double *Y, int64_t rows, int cost, double offset, double *y,
                    double *out)
{
    int32_t nin = c->num_inputs, nout = c->num_outputs;
    /* feed-forward: all rows at once into out (rows x nout), the same bits as one by one
     * (a few rows, as XOR's four, go faster one by one) */
    int batch = out && !net->recurrent && rows >= 16 &&
                net_activate_rows(net, g, c, X, rows, out) == 0;
    net_reset(net);
    double f = offset, acc = 0.0;
    for (int64_t r = 0; r < rows; r++) {
        const double *yr = y;
        if (batch) yr = out + r * nout;
        else net_activate(net, g, c, X + r * nin, y);
        const double *t = Y + r * nout;
        for (int32_t o = 0; o < nout; o++) {
            double d = yr[o] - t[o];
            switch (cost) {
            case COST_SSE: f -= d * d; break;
            case COST_SAE: f -= fabs(d); break;
            case COST_MSE: acc += d * d; break;
            default: acc += fabs(d); break; /* COST_MAE */
            }
        }
    }
    if (cost == COST_MSE || cost == COST_MAE)
        f = offset - acc / ((double)rows * (double)nout);
    return f;
}

/* ---------------------------------------------------------------- XOR */

/* The 2002 paper's XOR: fitness (4 - sum |o - t|)^2; solved when every output is on the
 * right side of 0.5. With bias_input, a constant 1.0 comes first, then the two inputs
 * (NEAT C++'s xor_evaluate feeds {1.0, a, b}). */
double eval_xor(Net *net, const Genome *g, const NeatConfig *c, int bias_input, int *solved)
{
    static const double X[4][3] = {{1, 0, 0}, {1, 0, 1}, {1, 1, 0}, {1, 1, 1}};
    static const double T[4] = {0, 1, 1, 0};
    double y[1], err = 0.0;
    int ok = 1;
    net_reset(net);
    for (int r = 0; r < 4; r++) {
        net_activate(net, g, c, X[r] + (bias_input ? 0 : 1), y);
        err += fabs(y[0] - T[r]);
        if (T[r] > 0.5 ? !(y[0] > 0.5) : !(y[0] < 0.5)) ok = 0;
    }
    *solved = ok;
    double s = 4.0 - err;
    return s * s;
}

/* ---------------------------------------------------------------- multiplexer */

/* The binary multiplexer with `a` address bits (a = 3: the 11-multiplexer, 2048 cases):
 * inputs are the address bits then the 2^a data bits (0 or 1); the target is the data
 * bit the address selects. fitness = cases - sum (o - t)^2; solved when every output is
 * on the right side of 0.5. */
double eval_multiplexer(Net *net, const Genome *g, const NeatConfig *c, int a, int *solved,
                        const double *cases, double *out)
{
    int nd = 1 << a, nin = a + nd;
    int64_t n = (int64_t)1 << nin;
    double y[1], f = (double)n;
    int ok = 1;
    int batch = !net->recurrent && net_activate_rows(net, g, c, cases, n, out) == 0;
    net_reset(net);
    for (int64_t k = 0; k < n; k++) {
        const double *x = cases + k * nin;
        int addr = 0;
        for (int i = 0; i < a; i++) addr = addr * 2 + (int)x[i];
        double t = x[a + addr], o;
        if (batch) o = out[k];
        else { net_activate(net, g, c, x, y); o = y[0]; }
        double d = o - t;
        f -= d * d;
        if (t > 0.5 ? !(o > 0.5) : !(o < 0.5)) ok = 0;
    }
    *solved = ok;
    return f;
}

/* The multiplexer's cases, row-major: case k's inputs are k's bits, most significant
 * first (address bits, then data bits). */
double *multiplexer_cases(int a)
{
    int nin = a + (1 << a);
    int64_t n = (int64_t)1 << nin;
    double *x = malloc(sizeof(double) * (size_t)(n * nin));
    if (!x) return NULL;
    for (int64_t k = 0; k < n; k++)
        for (int i = 0; i < nin; i++) x[k * nin + i] = (double)((k >> (nin - 1 - i)) & 1);
    return x;
}

/* eval_multiplexer for a feed-forward genome, over the cases by column (cols: nin x n,
 * from multiplexer_cols) and their targets (n, after the columns): the same arithmetic in
 * the same order as eval_multiplexer, without reading the cases row by row. */
double eval_multiplexer_cols(Net *net, const Genome *g, const NeatConfig *c, int a, int *solved,
                             const double *cols, const double *targets, double *out)
{
    int nin = a + (1 << a);
    int64_t n = (int64_t)1 << nin;
    double f = (double)n;
    int ok = 1;
    if (net_activate_cols(net, g, c, cols, n, out)) return NAN;
    net_reset(net);
    for (int64_t k = 0; k < n; k++) {
        double t = targets[k], o = out[k];
        double d = o - t;
        f -= d * d;
        if (t > 0.5 ? !(o > 0.5) : !(o < 0.5)) ok = 0;
    }
    *solved = ok;
    return f;
}

/* The cases by column (nin x n) followed by each case's target (n), from the cases by
 * row (multiplexer_cases). */
double *multiplexer_cols(const double *cases, int a)
{
    int nin = a + (1 << a);
    int64_t n = (int64_t)1 << nin;
    double *x = malloc(sizeof(double) * (size_t)(n * (nin + 1)));
    if (!x) return NULL;
    for (int64_t k = 0; k < n; k++) {
        const double *row = cases + k * nin;
        int addr = 0;
        for (int i = 0; i < nin; i++) x[(int64_t)i * n + k] = row[i];
        for (int i = 0; i < a; i++) addr = addr * 2 + (int)row[i];
        x[(int64_t)nin * n + k] = row[a + addr];
    }
    return x;
}

/* ---------------------------------------------------------------- single pole */

/* gymnasium's CartPole-v1 (classic_control/cartpole.py): its constants and its Euler
 * step, operation for operation. state = (x, x_dot, theta, theta_dot); action 1 pushes
 * right. Returns 1 when the new state is terminal. */
int cartpole_step(double *s, int action)
{
    const double gravity = 9.8, masscart = 1.0, masspole = 0.1;
    const double total_mass = masspole + masscart;
    const double length = 0.5; /* half the pole's length */
    const double polemass_length = masspole * length;
    const double force_mag = 10.0, tau = 0.02;
    const double theta_threshold_radians = 12 * 2 * M_PI / 360, x_threshold = 2.4;
    double x = s[0], x_dot = s[1], theta = s[2], theta_dot = s[3];
    double force = action == 1 ? force_mag : -force_mag;
    double costheta = cos(theta), sintheta = sin(theta);
    double temp = (force + polemass_length * (theta_dot * theta_dot) * sintheta) / total_mass;
    double thetaacc = (gravity * sintheta - costheta * temp) /
                      (length * (4.0 / 3.0 - masspole * (costheta * costheta) / total_mass));
    double xacc = temp - polemass_length * thetaacc * costheta / total_mass;
    x = x + tau * x_dot;
    x_dot = x_dot + tau * xacc;
    theta = theta + tau * theta_dot;
    theta_dot = theta_dot + tau * thetaacc;
    s[0] = x; s[1] = x_dot; s[2] = theta; s[3] = theta_dot;
    return x < -x_threshold || x > x_threshold || theta < -theta_threshold_radians ||
           theta > theta_threshold_radians;
}

/* Balance from `start`: the network reads the state as it is, and pushes right when its
 * output is above 0.5. fitness = steps survived (at most max_steps). */
double eval_cartpole(Net *net, const Genome *g, const NeatConfig *c, const double *start,
                     int64_t max_steps, int *solved)
{
    double s[4], y[1];
    memcpy(s, start, sizeof s);
    net_reset(net);
    int64_t steps = 0;
    while (steps < max_steps) {
        net_activate(net, g, c, s, y);
        if (cartpole_step(s, y[0] > 0.5 ? 1 : 0)) break;
        steps++;
    }
    *solved = steps >= max_steps;
    return (double)steps;
}

/* ---------------------------------------------------------------- double pole */

/* Wieland's double pole, as in Stanley's NEAT C++ (cpole.cpp, used by Stanley &
 * Miikkulainen 2002) and Gomez et al. 2008: constants in neat_tasks.h. */
static void dp_derivs(double force, const double *st, double *d)
{
    double costheta_1 = cos(st[2]), sintheta_1 = sin(st[2]);
    double gsintheta_1 = DP_GRAVITY * sintheta_1;
    double costheta_2 = cos(st[4]), sintheta_2 = sin(st[4]);
    double gsintheta_2 = DP_GRAVITY * sintheta_2;
    double ml_1 = DP_LENGTH_1 * DP_MASSPOLE_1, ml_2 = DP_LENGTH_2 * DP_MASSPOLE_2;
    double temp_1 = DP_MUP * st[3] / ml_1, temp_2 = DP_MUP * st[5] / ml_2;
    double fi_1 = (ml_1 * st[3] * st[3] * sintheta_1) +
                  (0.75 * DP_MASSPOLE_1 * costheta_1 * (temp_1 + gsintheta_1));
    double fi_2 = (ml_2 * st[5] * st[5] * sintheta_2) +
                  (0.75 * DP_MASSPOLE_2 * costheta_2 * (temp_2 + gsintheta_2));
    double mi_1 = DP_MASSPOLE_1 * (1 - (0.75 * costheta_1 * costheta_1));
    double mi_2 = DP_MASSPOLE_2 * (1 - (0.75 * costheta_2 * costheta_2));
    d[1] = (force + fi_1 + fi_2) / (mi_1 + mi_2 + DP_MASSCART);
    d[3] = -0.75 * (d[1] * costheta_1 + gsintheta_1 + temp_1) / DP_LENGTH_1;
    d[5] = -0.75 * (d[1] * costheta_2 + gsintheta_2 + temp_2) / DP_LENGTH_2;
}

/* cpole.cpp's rk4: one fourth-order Runge-Kutta step of DP_TAU. */
static void dp_rk4(double force, const double *y, const double *dydx, double *yout)
{
    double hh = DP_TAU * 0.5, h6 = DP_TAU / 6.0, dym[6], dyt[6], yt[6];
    for (int i = 0; i < 6; i++) yt[i] = y[i] + hh * dydx[i];
    dp_derivs(force, yt, dyt);
    dyt[0] = yt[1]; dyt[2] = yt[3]; dyt[4] = yt[5];
    for (int i = 0; i < 6; i++) yt[i] = y[i] + hh * dyt[i];
    dp_derivs(force, yt, dym);
    dym[0] = yt[1]; dym[2] = yt[3]; dym[4] = yt[5];
    for (int i = 0; i < 6; i++) { yt[i] = y[i] + DP_TAU * dym[i]; dym[i] += dyt[i]; }
    dp_derivs(force, yt, dyt);
    dyt[0] = yt[1]; dyt[2] = yt[3]; dyt[4] = yt[5];
    for (int i = 0; i < 6; i++) yout[i] = y[i] + h6 * (dydx[i] + dyt[i] + 2.0 * dym[i]);
}

/* cpole.cpp's performAction: the force (output - 0.5) * 2 * DP_FORCE_MAG held for two
 * RK4 steps (0.02 s). */
void doublepole_step(double *st, double output)
{
    double force = (output - 0.5) * DP_FORCE_MAG * 2, dydx[6];
    for (int i = 0; i < 2; i++) {
        dydx[0] = st[1]; dydx[2] = st[3]; dydx[4] = st[5];
        dp_derivs(force, st, dydx);
        dp_rk4(force, st, dydx, st);
    }
}

static int dp_outside(const double *st)
{
    return st[0] < -DP_TRACK || st[0] > DP_TRACK || st[2] < -DP_FAIL_ANGLE ||
           st[2] > DP_FAIL_ANGLE || st[4] < -DP_FAIL_ANGLE || st[4] > DP_FAIL_ANGLE;
}

static void dp_inputs(const double *st, int velocities, double *x)
{
    if (velocities) {
        x[0] = st[0] / 4.8; x[1] = st[1] / 2; x[2] = st[2] / 0.52;
        x[3] = st[3] / 2; x[4] = st[4] / 0.52; x[5] = st[5] / 2; x[6] = 0.5;
    } else {
        x[0] = st[0] / 4.8; x[1] = st[2] / 0.52; x[2] = st[4] / 0.52; x[3] = 0.5;
    }
}

/* Run from `st` for at most max_steps; returns the steps balanced. With `jiggle` (1000
 * entries) it records |x| + |x'| + |theta1| + |theta1'| after each of the first 1000. */
static int64_t dp_run(Net *net, const Genome *g, const NeatConfig *c, double *st,
                      int velocities, int64_t max_steps, double *jiggle)
{
    double x[7], y[1];
    net_reset(net);
    int64_t steps = 0;
    while (steps < max_steps) {
        dp_inputs(st, velocities, x);
        net_activate(net, g, c, x, y);
        doublepole_step(st, y[0]);
        if (dp_outside(st)) break;
        if (jiggle && steps < 1000)
            jiggle[steps] = fabs(st[0]) + fabs(st[1]) + fabs(st[2]) + fabs(st[3]);
        steps++;
    }
    return steps;
}

static void dp_start(double *st)
{
    memset(st, 0, 6 * sizeof(double));
    st[2] = DP_START_ANGLE;
}

/* With velocities: fitness = steps balanced (at most max_steps, 100,000 in the paper).
 * Without: Gruau et al.'s damping fitness over at most 1000 steps,
 * 0.1 t/1000 + 0.9 * 0.75 / sum over the last 100 steps of (|x|+|x'|+|theta1|+|theta1'|)
 * (the second term only once t >= 100). `steps` returns the steps balanced. */
double eval_doublepole(Net *net, const Genome *g, const NeatConfig *c, int velocities,
                       int64_t max_steps, int64_t *steps_out)
{
    double st[6];
    dp_start(st);
    if (velocities) {
        int64_t steps = dp_run(net, g, c, st, 1, max_steps, NULL);
        *steps_out = steps;
        return (double)steps;
    }
    double jiggle[1000];
    int64_t t = dp_run(net, g, c, st, 0, 1000, jiggle);
    *steps_out = t;
    double f1 = (double)t / 1000.0, f2 = 0.0;
    if (t >= 100) {
        double total = 0.0;
        for (int64_t k = t - 100; k < t; k++) total += jiggle[k];
        f2 = 0.75 / total;
    }
    return 0.1 * f1 + 0.9 * f2;
}

/* The paper's test of a double-pole solution. With velocities: 100,000 steps balanced.
 * Without: 100,000 steps from the standard start, and then Gruau's generalisation test:
 * of the 625 starts with x, x', theta1, theta1' each at 0.05, 0.25, 0.5, 0.75, 0.95 of
 * their ranges (x in +-2.16 m, x' in +-1.35 m/s, theta1 in +-3.6 deg, theta1' in
 * +-8.6 deg/s; the short pole upright and still), at least 200 balanced for 1,000 steps.
 * `generalisation` returns how many of the 625 were (-1 when not run). */
int doublepole_solved(Net *net, const Genome *g, const NeatConfig *c, int velocities,
                      int *generalisation)
{
    double st[6];
    *generalisation = -1;
    dp_start(st);
    if (dp_run(net, g, c, st, velocities, DP_SOLVED_STEPS, NULL) < DP_SOLVED_STEPS) return 0;
    if (velocities) return 1;
    static const double levels[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
    int ok = 0;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++)
            for (int d = 0; d < 5; d++)
                for (int e = 0; e < 5; e++) {
                    memset(st, 0, sizeof st);
                    st[0] = levels[a] * 4.32 - 2.16;
                    st[1] = levels[b] * 2.70 - 1.35;
                    st[2] = levels[d] * 0.12566304 - 0.06283152;
                    st[3] = levels[e] * 0.30019504 - 0.15009752;
                    if (dp_run(net, g, c, st, 0, 1000, NULL) >= 1000) ok++;
                }
    *generalisation = ok;
    return ok >= 200;
}
