'use strict';
// What the peer runners in tests/ (synaptic_peer.js, neataptic_peer.js, brain_peer.js)
// share: a seeded Math.random, the pinned packages, and the loop that reads a JSON list of
// programs on stdin and writes a JSON list of replies on stdout.

const path = require('path');

// mulberry32, installed as Math.random before any peer draws a number, so that a program
// with the same seed builds the same network on every run
let rngState = 1;
Math.random = function random() {
  rngState = (rngState + 0x6D2B79F5) | 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

function seed(value) {
  rngState = value | 0;
}

// the versions pinned in benchmarks/package.json, installed there by `npm ci`
function requirePeer(name) {
  return require(path.join(__dirname, '..', 'benchmarks', 'node_modules', name));
}

// A program that throws gets {"error": ...}: its message, or with {stack: true} its stack
// (the Python side shows it in a failed assertion).
function serve(run, { stack = false } = {}) {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const programs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const replies = programs.map((program) => {
      try {
        return run(program);
      } catch (e) {
        const text = e && (stack ? e.stack : e.message);
        return { error: String(text || e) };
      }
    });
    process.stdout.write(JSON.stringify(replies));
  });
}

module.exports = { seed, requirePeer, serve };
