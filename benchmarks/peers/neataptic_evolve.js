'use strict';
// Neataptic 1.4.7's own network.evolve() on tasks from its documentation and tests, for
// benchmarks/neat_vs_neataptic.py. Usage:
//   node neataptic_evolve.js TASK FIRST_SEED COUNT
// prints one JSON line per seed: {"task", "seed", "solved", "error", "generations",
// "evaluations", "ms"}. Math.random is replaced by a seeded generator (mulberry32) before
// Neataptic draws anything, so a seed repeats its run.
//
// Evaluations are counted as Neataptic makes them: evolve() evaluates the whole
// population (popsize genomes) once per generation, so a run that stops after G
// generations made G * popsize evaluations.

const path = require('path');

let state = 1;
Math.random = function random() {
  state = (state + 0x6D2B79F5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const neataptic = require(path.join(__dirname, '..', 'node_modules', 'neataptic'));
const { Network, methods, config } = neataptic;
config.warnings = false;

// The tasks, with the options their source gives (popsize: Neataptic's default, 50).
// - xor: the evolution tutorial's (docs/tutorials/evolution): popsize 100, elitism 10,
//   mutationRate 0.5, FFW mutations, equal, error 0.03, at most 1000 iterations (test/
//   neat.js "XOR" uses the same but popsize 50 and no cap).
// - updown, count10: the neuro-evolution article's examples 1 ("Uphill and downhill") and
//   2 ("Count to ten"), docs/js/articles/neuroevolution/neural.js: sequences, one
//   activation per step, that need memory (the same input asks for different outputs).
const TASKS = {
  xor: {
    set: [[[0, 0], [0]], [[0, 1], [1]], [[1, 0], [1]], [[1, 1], [0]]],
    options: { mutation: methods.mutation.FFW, equal: true, popsize: 100, elitism: 10,
               mutationRate: 0.5, error: 0.03, iterations: 1000 },
  },
  updown: {
    set: [[[0.0], [0.2]], [[0.2], [0.4]], [[0.4], [0.6]], [[0.6], [0.8]], [[0.8], [1.0]],
          [[1.0], [0.8]], [[0.8], [0.6]], [[0.6], [0.4]], [[0.4], [0.2]], [[0.2], [0.0]]],
    options: { mutation: methods.mutation.ALL, equal: true, elitism: 5, iterations: 1500,
               clear: true, error: 0.003 },
  },
  count10: {
    set: [[[0], [0]], [[0], [0]], [[0], [0]], [[0], [0]], [[0], [0]], [[0], [0]], [[0], [0]],
          [[0], [0]], [[0], [0]], [[0], [1]]],
    options: { mutation: methods.mutation.ALL, equal: true, elitism: 5, iterations: 1500,
               clear: true, error: 0.003 },
  },
};

async function main() {
  const [name, first, count] = process.argv.slice(2);
  const task = TASKS[name];
  if (!task) throw new Error(`unknown task ${name}; known: ${Object.keys(TASKS).join(', ')}`);
  const set = task.set.map(([input, output]) => ({ input, output }));
  for (let s = Number(first); s < Number(first) + Number(count); s++) {
    state = s | 0;
    // threads: 1 evaluates in this process, in order (workers would not see the seed)
    const options = Object.assign({ threads: 1 }, task.options);
    const popsize = options.popsize || 50;
    const network = new Network(set[0].input.length, set[0].output.length);
    const t0 = Date.now();
    const result = await network.evolve(set, options);
    const ms = Date.now() - t0;
    process.stdout.write(JSON.stringify({
      task: name, seed: s, solved: result.error <= options.error, error: result.error,
      generations: result.iterations, evaluations: result.iterations * popsize, ms,
    }) + '\n');
  }
}

main().catch((e) => { process.stderr.write(String(e && e.stack) + '\n'); process.exit(1); });
