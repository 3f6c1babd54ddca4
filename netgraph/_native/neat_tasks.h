/* Native fitness: data sets and the tasks of netgraph.neat.tasks (see neat_tasks.c). */
#ifndef NETGRAPH_NEAT_TASKS_H
#define NETGRAPH_NEAT_TASKS_H

#include "neat.h"

enum { COST_SSE = 0, COST_MSE = 1, COST_MAE = 2, COST_SAE = 3 };
enum { TASK_XOR = 0, TASK_MULTIPLEXER = 1, TASK_CARTPOLE = 2, TASK_DOUBLEPOLE = 3 };

/* Wieland's double pole as Stanley's NEAT C++ code (cpole.cpp) simulates it for
 * Stanley & Miikkulainen 2002, the same set-up as Gomez et al. 2008 (JMLR 9) and
 * Gruau et al. 1996: */
#define DP_GRAVITY (-9.8)          /* m/s^2, cpole.cpp's sign convention */
#define DP_MASSCART 1.0            /* kg */
#define DP_MASSPOLE_1 0.1          /* kg, the long pole */
#define DP_LENGTH_1 0.5            /* m, half the long pole (1 m) */
#define DP_MASSPOLE_2 0.01         /* kg, the short pole */
#define DP_LENGTH_2 0.05           /* m, half the short pole (0.1 m) */
#define DP_MUP 0.000002            /* pole hinge friction */
#define DP_FORCE_MAG 10.0          /* N: force = (output - 0.5) * 2 * 10 */
#define DP_TAU 0.01                /* s per RK4 step; two per network activation */
#define DP_TRACK 2.4               /* m: the cart fails beyond +-2.4 */
#define DP_FAIL_ANGLE 0.628329     /* rad, 36 degrees: either pole fails beyond it */
#define DP_START_ANGLE 0.07        /* rad (about 4 degrees): the long pole's start */
#define DP_SOLVED_STEPS 100000     /* 100,000 steps (30 minutes of simulated time) */

double eval_dataset(Net *net, const Genome *g, const NeatConfig *c, const double *X,
                    const double *Y, int64_t rows, int cost, double offset, double *y,
                    double *out);
double eval_xor(Net *net, const Genome *g, const NeatConfig *c, int bias_input, int *solved);
double eval_multiplexer(Net *net, const Genome *g, const NeatConfig *c, int a, int *solved,
                        const double *cases, double *out);
double *multiplexer_cases(int a);
double eval_multiplexer_cols(Net *net, const Genome *g, const NeatConfig *c, int a, int *solved,
                             const double *cols, const double *targets, double *out);
double *multiplexer_cols(const double *cases, int a);
int cartpole_step(double *s, int action);
double eval_cartpole(Net *net, const Genome *g, const NeatConfig *c, const double *start,
                     int64_t max_steps, int *solved);
void doublepole_step(double *st, double output);
double eval_doublepole(Net *net, const Genome *g, const NeatConfig *c, int velocities,
                       int64_t max_steps, int64_t *steps_out);
int doublepole_solved(Net *net, const Genome *g, const NeatConfig *c, int velocities,
                      int *generalisation);

#endif
