'use strict';
// Synaptic.js 1.1.4 on recurrent tasks: its own Trainer.DSR and Trainer.timingTask on
// Architect.LSTM networks, and the raw speed of online LSTM steps.
//
// Usage:
//   node synaptic_lstm.js dsr    [--repeats R] [--budget-s S] [--iterations N]
//   node synaptic_lstm.js timing [--repeats R] [--budget-s S]
//   node synaptic_lstm.js steps  [--steps N] [--repeats R] [--budget-s S]
// Prints one JSON line.
//
// dsr:    new Architect.LSTM(6, 3, 2), trainer.DSR({targets: [2, 4], distractors: [3, 5],
//         prompts: [0, 1], length: 9, rate: .17, iterations: N (250000)}) on a fresh network
//         per run, unseeded (Math.random, as Synaptic does). Up to R runs; no new run starts
//         once S seconds have gone by (the output says whether that cut the repeats short).
// timing: new Architect.LSTM(2, 7, 1), trainer.timingTask({log: false}): Synaptic's defaults
//         (7000 train / 1000 test samples, 200 iterations, rate [.03, .02], MSE, error
//         .005). Up to R runs, the same time budget rule.
// steps:  LSTM(2, 7, 1) and LSTM(10, 30, 10): N (20000) online steps of activate(x) then
//         propagate(0.1, t) on random data (uniform [0, 1) inputs and targets, made before
//         the timer), state carried from step to step; a warm-up pass,
//         then the best of R passes, as steps/s. Each pass stops early after S (4) seconds:
//         Synaptic's LSTM(10, 30, 10) manages only a few hundred steps a second.
// Every run is timed with process.hrtime.bigint around the call, and includes Synaptic's
// lazy optimize() of the fresh network (done on its first activate).

const { Architect, Trainer } = require('synaptic');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function quantile(xs, q) {
  // linear interpolation between order statistics (numpy's default)
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function spread(xs) {
  return { min: Math.min(...xs), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75), max: Math.max(...xs) };
}

// Repeat runOnce up to `repeats` times; stop starting new runs after budgetMs.
function budgeted(runOnce, repeats, budgetMs) {
  const runs = [];
  const t0 = nowMs();
  for (let r = 0; r < repeats; r++) {
    if (r > 0 && nowMs() - t0 > budgetMs) break;
    runs.push(runOnce());
  }
  return { runs, capped_by_budget: runs.length < repeats, wall_ms: nowMs() - t0 };
}

const DSR_OPTIONS = {
  targets: [2, 4],
  distractors: [3, 5],
  prompts: [0, 1],
  length: 9,
  rate: 0.17,
};
const DSR_CRITERION = 0.95; // Trainer.DSR's default `success`

function dsr() {
  const iterations = arg('--iterations', 250000);
  const repeats = arg('--repeats', 7);
  const budgetS = arg('--budget-s', 30);
  const runOnce = (its) => {
    const net = new Architect.LSTM(6, 3, 2);
    const trainer = new Trainer(net);
    const t0 = nowMs();
    const res = trainer.DSR({ ...DSR_OPTIONS, iterations: its });
    const ms = nowMs() - t0;
    return { iterations: res.iterations, success: res.success, error: res.error, ms };
  };
  runOnce(2000); // warm-up: V8 tiers up Trainer.DSR and the network code
  const { runs, capped_by_budget, wall_ms } = budgeted(() => runOnce(iterations), repeats, budgetS * 1e3);
  const its = runs.map((r) => r.iterations);
  const ms = runs.map((r) => r.ms);
  return {
    task: 'lstm_dsr',
    network: 'Architect.LSTM(6, 3, 2)',
    options: { ...DSR_OPTIONS, iterations },
    criterion: DSR_CRITERION,
    repeats_wanted: repeats,
    budget_s: budgetS,
    capped_by_budget,
    wall_ms,
    runs: runs.length,
    solved: runs.filter((r) => r.success >= DSR_CRITERION).length,
    iterations_median: median(its),
    iterations_spread: spread(its),
    ms_median: median(ms),
    ms_spread: spread(ms),
    // each run's time per 1000 trials, median over the runs (a trial gets cheaper as the
    // network learns: only wrong steps are propagated)
    ms_per_1000_trials: median(runs.map((r) => (1000 * r.ms) / r.iterations)),
    runs_all: runs,
  };
}

function timing() {
  const repeats = arg('--repeats', 5);
  const budgetS = arg('--budget-s', 30);
  const trainSamples = 7000; // Synaptic's defaults, restated for the step count
  const testSamples = 1000;
  const runOnce = (options) => {
    const net = new Architect.LSTM(2, 7, 1);
    const trainer = new Trainer(net);
    const t0 = nowMs();
    const res = trainer.timingTask(options);
    const ms = nowMs() - t0;
    return {
      iterations: res.train.iterations,
      train_error: res.train.error,
      test_error: res.test.error,
      ms,
    };
  };
  runOnce({ log: false, iterations: 2 }); // warm-up
  const { runs, capped_by_budget, wall_ms } = budgeted(() => runOnce({ log: false }), repeats, budgetS * 1e3);
  const steps = runs.map((r) => r.iterations * trainSamples + testSamples);
  const totalMs = runs.reduce((a, r) => a + r.ms, 0);
  return {
    task: 'lstm_timing',
    network: 'Architect.LSTM(2, 7, 1)',
    options: { log: false },
    repeats_wanted: repeats,
    budget_s: budgetS,
    capped_by_budget,
    wall_ms,
    runs: runs.length,
    iterations_median: median(runs.map((r) => r.iterations)),
    iterations_spread: spread(runs.map((r) => r.iterations)),
    train_error_median: median(runs.map((r) => r.train_error)),
    test_error_median: median(runs.map((r) => r.test_error)),
    test_error_spread: spread(runs.map((r) => r.test_error)),
    ms_median: median(runs.map((r) => r.ms)),
    ms_spread: spread(runs.map((r) => r.ms)),
    steps_per_s: (1000 * steps.reduce((a, b) => a + b, 0)) / totalMs,
    runs_all: runs,
  };
}

function randomRows(n, width) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const row = new Array(width);
    for (let j = 0; j < width; j++) row[j] = Math.random();
    rows.push(row);
  }
  return rows;
}

function stepsFor(sizes, n, repeats, budgetMs) {
  const net = new Architect.LSTM(...sizes);
  const inputs = sizes[0];
  const outputs = sizes[sizes.length - 1];
  const X = randomRows(n, inputs);
  const T = randomRows(n, outputs);
  // Up to `count` steps, cut short once budgetMs is spent (checked every 64 steps).
  const pass = (count) => {
    const t0 = nowMs();
    let done = 0;
    while (done < count) {
      net.activate(X[done]);
      net.propagate(0.1, T[done]);
      done++;
      if (done % 64 === 0 && nowMs() - t0 > budgetMs) break;
    }
    return { steps: done, ms: nowMs() - t0 };
  };
  const warmup = pass(n); // includes optimize() of the fresh network; V8 tiers up
  const passes = [];
  for (let r = 0; r < repeats; r++) passes.push(pass(n));
  const rates = passes.map((p) => (1000 * p.steps) / p.ms);
  return {
    network: `Architect.LSTM(${sizes.join(', ')})`,
    rows: n,
    budget_s_per_pass: budgetMs / 1e3,
    warmup,
    passes,
    rates_all: rates,
    steps_per_s: Math.max(...rates),
  };
}

function steps() {
  const n = arg('--steps', 20000);
  const repeats = arg('--repeats', 3);
  const budgetS = arg('--budget-s', 4);
  const small = stepsFor([2, 7, 1], n, repeats, budgetS * 1e3);
  const large = stepsFor([10, 30, 10], n, repeats, budgetS * 1e3);
  return {
    task: 'lstm_steps',
    rate: 0.1,
    repeats,
    small,
    large,
    small_steps_per_s: small.steps_per_s,
    large_steps_per_s: large.steps_per_s,
  };
}

const MODES = { dsr, timing, steps };
const mode = process.argv[2];
if (!MODES[mode]) {
  console.error(`usage: node synaptic_lstm.js ${Object.keys(MODES).join('|')} [options]`);
  process.exit(2);
}
const out = MODES[mode]();
console.log(JSON.stringify({
  peer: 'synaptic',
  version: require('synaptic/package.json').version,
  node: process.version,
  ...out,
}));
