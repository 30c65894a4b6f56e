// timing.mjs: what `make bench` shares between Node (bench.mjs) and headless
// Chromium (chromium.mjs): the sizes, the cases, the flop count, the
// interleaved timer, and the forward passes it times. No Node import here:
// a page loads it as a module.
import { plainForward } from './plain.mjs';
import { tfjsAttention } from './tfjs.mjs';

export const SIZES = [
  { name: 'lecture', L: 3, E: 2, H: 1, rounds: 15, nativeRuns: 20001 },
  { name: 'small', L: 32, E: 64, H: 8, rounds: 15, nativeRuns: 4001 },
  { name: 'BERT-base layer', L: 128, E: 768, H: 12, rounds: 15, nativeRuns: 41 },
  { name: 'long', L: 512, E: 768, H: 12, rounds: 12, nativeRuns: 9 },
];
const SAMPLE_MS = 4;          /* a sample lasts at least this long */
const BLOCK_MS = 100;         /* an implementation's turn in a round: short, so that each samples many moments of the host */
const SLOW_SAMPLES_MS = 4000; /* a slow implementation stops sampling past this, after 3 */

const now = () => performance.now();

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/* Repeatable numbers in [0, 1) from a seed (a linear congruential
 * generator: the bench needs the same numbers each run, not good ones). */
export function seeded(seed) {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/* Self-attention, bias on, random weights, every input { shape, data }. */
export function makeCase({ L, E, H }, seed) {
  const random = seeded(seed);
  const tensor = (shape, scale) => ({
    shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => (random() * 2 - 1) * scale),
  });
  const w = Math.sqrt(6 / (2 * E)); /* xavier-uniform, as PyTorch initialises the module */
  return {
    embed_dim: E, num_heads: H, bias: true,
    query: tensor([L, E], 1),
    in_proj_weight: tensor([3 * E, E], w), in_proj_bias: tensor([3 * E], 0.1),
    'out_proj.weight': tensor([E, E], w), 'out_proj.bias': tensor([E], 0.1),
  };
}

export const flopsOf = ({ L, E }) => 8 * L * E * E + 4 * L * L * E; /* 4 projections + scores + context */

/* The forward passes of one case, by name:
 *   BUILD           the resident path, what the page does after an edit: the
 *                   weights stay in the core; a call writes query (set, which
 *                   in self-attention writes key and value too) and runs
 *                   forward() on the resident inputs, stages as views
 *   BUILD copy      forward(aCase): every input copied in (so every weight is
 *                   packed again), every stage copied out
 *   plain           plain JS (plain.mjs)
 *   tfjs            tfjs-backend-wasm (tfjs.mjs), weights uploaded once
 * for each build in `builds` (no copy path for scalar: it only slows the run).
 * attentions: the resident path's Attention of each build. */
export async function forwards(aCase, { createAttention, builds, tf }) {
  const fns = {}, attentions = {};
  for (const build of builds) {
    const resident = await createAttention({ build });
    resident.forward(aCase); /* configures, uploads the weights */
    attentions[build] = resident;
    fns[build] = () => {
      resident.set('query', aCase.query.data);
      return resident.forward(null, { copy: false });
    };
    if (build !== 'scalar') {
      const copying = await createAttention({ build });
      fns[`${build} copy`] = () => copying.forward(aCase);
      attentions[`${build} copy`] = copying;
    }
  }
  fns.plain = () => plainForward(aCase);
  const tfForward = tfjsAttention(tf, aCase);
  fns.tfjs = () => tfForward(aCase.query.data);
  const dispose = () => {
    tfForward.dispose();
    for (const a of Object.values(attentions)) a.dispose();
  };
  return { fns, attentions, dispose };
}

/* Where timeTogether() keeps what each call returns, so that no JIT can
 * drop a call whose result goes unused (Chromium's did with plain JS). */
export let sink = null;

/* Takes turns between the named functions: a warm-up each, then `rounds`
 * rounds in which each runs one untimed call (but the slowest) and then a
 * block of samples back to back, about BLOCK_MS long; afterRound() after
 * each round. Returns { name: median ms per call }. */
export function timeTogether(fns, rounds, { afterRound = () => {} } = {}) {
  const batch = {}, block = {}, rewarm = {}, samples = {}, spent = {};
  for (const [name, fn] of Object.entries(fns)) {
    const t = now();
    sink = fn(); /* first call: compiles, sizes buffers, packs the weights */
    const first = now() - t;
    /* warm-up: at least one more call and 20 first calls' time (300 ms at
     * most, 50 ms at least: the JIT needs many calls of a small one) */
    let calls = 0;
    const start = now(), until = start + Math.min(300, Math.max(50, 20 * first));
    do {
      sink = fn();
      calls++;
    } while (now() < until);
    const once = (now() - start) / calls;
    batch[name] = Math.max(1, Math.ceil(SAMPLE_MS / once));
    block[name] = Math.max(1, Math.floor(BLOCK_MS / (batch[name] * once)));
    rewarm[name] = once < 300;
    samples[name] = [];
    spent[name] = 0;
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      if (samples[name].length >= 3 && spent[name] > SLOW_SAMPLES_MS) continue;
      if (rewarm[name]) sink = fn(); /* the others' turns evicted this one's data from the caches */
      for (let b = 0; b < block[name]; b++) {
        const n = batch[name], t = now();
        for (let i = 0; i < n; i++) sink = fn();
        const ms = now() - t;
        spent[name] += ms;
        /* too short for the clock (a page's performance.now() ticks by 0.1 ms
         * where it is not cross-origin isolated): longer samples from now on */
        if (ms < SAMPLE_MS / 2) batch[name] *= 2;
        else samples[name].push(ms / n);
      }
    }
    afterRound();
  }
  const result = {};
  for (const name in fns) result[name] = median(samples[name]);
  return result;
}

/* ---- the report ---- */

export const fmtTime = (ms) => (ms < 0.1 ? `${(ms * 1000).toFixed(2)} µs` : ms < 100 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(1)} ms`);
export const fmtGflops = (g) => (g < 0.1 ? g.toFixed(3) : g < 10 ? g.toFixed(2) : g.toFixed(1));
export const fmtRatio = (x) => `${x.toFixed(2)}×`;

export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
