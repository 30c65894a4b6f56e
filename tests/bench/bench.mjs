// bench.mjs: `make bench`. Times one forward() at four sizes, in one Node
// process on one thread, on
//   - the SIMD and the scalar wasm builds (createAttention({ simd })),
//   - the native build of the same C (gcc -O3 -march=native, the driver's
//     `time N`, in a child process),
//   - plain JS over Float32Array (plain.mjs),
//   - @tensorflow/tfjs-backend-wasm (tfjs.mjs),
// and, on their own, the projection GEMMs and this machine's f32x4 mul+add
// peak (build/attn-bench.wasm: peak.c and the SIMD kernels). Prints medians
// after warm-up, GFLOPS, ratios, the wasm memory of each size and the issue's
// targets at the BERT-base layer. A report, not a test: it exits 0 whatever
// it finds (and 1 only when something could not run at all).
//
// Timing: the wasm builds, plain JS and tfjs take turns, a block of samples
// each (~0.3 s) per round, over a few rounds, so that a change of clock speed
// during the run touches them alike; each block starts with one untimed call
// (the others' turns evicted its data from the caches); a sample runs a call
// enough times to last a few milliseconds; the figure is the median sample.
// Flops count 2·m·n·k for each product (the four projections, q·kᵀ and
// weights·v), nothing for softmax and the rest.
//
// backward() (dL/d output given, every gradient returned) is timed beside
// forward() in the same turns, on the SIMD, scalar and native builds, with its
// ratio to forward() at every size (issue 16's target: at most 2.5× at the
// BERT-base layer).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createAttention, parseCase, sumSharedInputs } from '../../web/attention.mjs';
import { seededRandom, compareStages, driverScript, runDriver, NATIVE, ROOT } from '../helpers.mjs';
import { plainForward } from './plain.mjs';
import { startTfjs, tfjsAttention } from './tfjs.mjs';

const SIZES = [
  { name: 'lecture', L: 3, E: 2, H: 1, rounds: 5, nativeRuns: 20001 },
  { name: 'small', L: 32, E: 64, H: 8, rounds: 5, nativeRuns: 4001 },
  { name: 'BERT-base layer', L: 128, E: 768, H: 12, rounds: 5, nativeRuns: 41 },
  { name: 'long', L: 512, E: 768, H: 12, rounds: 4, nativeRuns: 9 },
];
const SAMPLE_MS = 4;        /* a sample lasts at least this long */
const BLOCK_MS = 300;       /* an implementation's turn in a round */
const SLOW_SAMPLES_MS = 4000; /* a slow implementation stops sampling past this, after 3 */

const now = () => performance.now();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/* ---- the cases: self-attention, bias on, random weights ---- */

function makeCase({ L, E, H }, seed) {
  const random = seededRandom(seed);
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

const flopsOf = ({ L, E }) => 8 * L * E * E + 4 * L * L * E; /* 4 projections + scores + context */

/* backward()'s argument: a seeded dL/d output, L×E */
function makeGradient({ L, E }, seed) {
  const random = seededRandom(seed);
  return { output: { shape: [L, E], data: Float32Array.from({ length: L * E }, () => random() * 2 - 1) } };
}

/* ---- timing ---- */

/* Takes turns between the named functions: a warm-up each, then `rounds`
 * rounds in which each runs one untimed call (but the slowest) and then a
 * block of samples back to back, about BLOCK_MS long. Returns { name:
 * median ms per call }. */
function timeTogether(fns, rounds) {
  const batch = {}, block = {}, rewarm = {}, samples = {}, spent = {};
  for (const [name, fn] of Object.entries(fns)) {
    let t = now();
    fn(); /* first call: compiles, sizes buffers, packs the weights */
    const first = now() - t;
    /* warm-up: at least one more call and 20 first calls' time (300 ms at
     * most, 50 ms at least: the JIT needs many calls of a small one) */
    let calls = 0;
    const start = now(), until = start + Math.min(300, Math.max(50, 20 * first));
    do {
      fn();
      calls++;
    } while (now() < until);
    const once = (now() - start) / calls;
    batch[name] = Math.max(1, Math.ceil(SAMPLE_MS / once));
    block[name] = Math.max(1, Math.floor(BLOCK_MS / (batch[name] * once)));
    rewarm[name] = once < 300;
    samples[name] = [];
    spent[name] = 0;
  }
  for (let r = 0; r < rounds; r++)
    for (const [name, fn] of Object.entries(fns)) {
      if (samples[name].length >= 3 && spent[name] > SLOW_SAMPLES_MS) continue;
      if (rewarm[name]) fn(); /* the others' turns evicted this one's data from the caches */
      for (let b = 0; b < block[name]; b++) {
        const n = batch[name], t = now();
        for (let i = 0; i < n; i++) fn();
        const ms = now() - t;
        samples[name].push(ms / n);
        spent[name] += ms;
      }
    }
  const result = {};
  for (const name in fns) result[name] = median(samples[name]);
  return result;
}

/* ---- the peak and the GEMM alone (build/attn-bench.wasm) ---- */

async function loadBenchWasm() {
  const bytes = readFileSync(join(ROOT, 'build', 'attn-bench.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { emscripten_notify_memory_growth() {} } });
  const x = instance.exports;
  if (x._initialize) x._initialize();
  return x;
}

/* One sample of the peak probe: GFLOPS over about `ms` milliseconds. */
function peakSample(x, ms = 10) {
  const flopsPerRound = x.bench_peak_chains() * 4 * 2;
  let rounds = 100000, t = now();
  x.bench_peak(rounds, 1.0000001, 1e-7);
  rounds = Math.max(rounds, Math.round((rounds * ms) / Math.max(now() - t, 1e-3)));
  t = now();
  x.bench_peak(rounds, 1.0000001, 1e-7);
  return (rounds * flopsPerRound) / (now() - t) / 1e6;
}

/* One projection GEMM (L×E times E×E, packed, plus the bias) as forward()
 * runs it, samples interleaved with peak samples: median GFLOPS and median
 * % of the peak sampled beside it. */
function timeGemm(x, { L, E }, seed) {
  const random = seededRandom(seed);
  const floats = (n) => {
    const p = x.malloc(n * 4);
    const view = new Float32Array(x.memory.buffer, p, n);
    for (let i = 0; i < n; i++) view[i] = random() * 2 - 1;
    return p;
  };
  const a = floats(L * E), w = floats(E * E), bias = floats(E), c = floats(L * E);
  const packed = x.malloc(x.attn__packed_size(E, E) * 4);
  x.attn__pack_transposed(w, E, E, E, packed);
  const run = () => x.attn__gemm(L, E, E, a, E, packed, bias, c, E);
  const flops = 2 * L * E * E;
  for (let t = now(); now() - t < 100;) run();
  let once = now();
  run();
  once = now() - once;
  const n = Math.max(1, Math.ceil(10 / Math.max(once, 1e-4)));
  const gflops = [], percent = [], peaks = [];
  for (let s = 0; s < 15; s++) {
    const peak = peakSample(x, 5);
    peaks.push(peak);
    const t = now();
    for (let i = 0; i < n; i++) run();
    const g = (flops * n) / (now() - t) / 1e6;
    gflops.push(g);
    percent.push((100 * g) / peak);
  }
  for (const p of [a, w, bias, c, packed]) x.free(p);
  return { gflops: median(gflops), percent: median(percent), peak: median(peaks), ms: flops / median(gflops) / 1e6 };
}

/* ---- the native build ---- */

function timeNative(aCase, configFields, runs) {
  const script = driverScript(parseCase(aCase), configFields, `time ${runs}`);
  const run = runDriver(NATIVE, script);
  const timing = run.results.find((r) => 'medianMs' in r);
  if (run.status !== 0 || !timing) throw new Error(`the native driver failed: ${run.stderr}`);
  return timing.medianMs;
}

/* The native driver's backward: one forward (`time 1`), dL/d output, then
 * `time_backward N`. */
function timeNativeBackward(aCase, given, configFields, runs) {
  const dOut = Array.from(given.output.data, (x) => (Object.is(x, -0) ? '0' : String(x))).join(' ');
  const script = `${driverScript(parseCase(aCase), configFields, 'time 1')}grad_input output ${dOut}\ntime_backward ${runs}\n`;
  const run = runDriver(NATIVE, script);
  const timing = run.results.filter((r) => 'medianMs' in r)[1];
  if (run.status !== 0 || !timing) throw new Error(`the native driver failed: ${run.stderr}`);
  return timing.medianMs;
}

/* The native driver's gradients, for the agreement check */
function nativeGradients(aCase, given, configFields) {
  const parsed = parseCase(aCase);
  const run = runDriver(NATIVE, driverScript(parsed, configFields, 'forward', { output: given.output.data }));
  return run.status === 0 ? sumSharedInputs(run.results[1], parsed.inputs) : null;
}

function nativeStages(aCase, configFields) {
  const run = runDriver(NATIVE, driverScript(parseCase(aCase), configFields));
  return run.status === 0 ? run.results[0] : null;
}

/* ---- the report ---- */

function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/);
  let emcc = 'emcc ?';
  try {
    emcc = execFileSync(process.env.EMCC || 'emcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]
      .replace(/\(Emscripten gcc\/clang-like replacement[^)]*\)\s*/, '').trim();
  } catch { /* reported as unknown */ }
  return `${cpu ? cpu[1].trim() : 'unknown CPU'}; Node ${process.version}; ${emcc}`;
}

const fmtTime = (ms) => (ms < 0.1 ? `${(ms * 1000).toFixed(2)} µs` : ms < 100 ? `${ms.toFixed(3)} ms` : `${ms.toFixed(1)} ms`);
const fmtGflops = (g) => (g < 0.1 ? g.toFixed(3) : g < 10 ? g.toFixed(2) : g.toFixed(1));
const fmtBytes = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const pad = (s, n) => String(s).padEnd(n);
const padL = (s, n) => String(s).padStart(n);

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? pad(c, widths[i]) : padL(c, widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  const started = now();
  console.log(`make bench: one forward() and one backward() of nn.MultiheadAttention (self-attention, bias, random weights)`);
  console.log(`machine: ${machine()}`);

  const tfjs = await startTfjs();
  console.log(`tfjs-backend-wasm ${tfjs.tf.version_core}: backend ${tfjs.tf.getBackend()}, ${tfjs.wasmFile}` +
    ` (SIMD ${tfjs.simd ? 'on' : 'off'}), ${tfjs.threads} thread`);
  const bench = await loadBenchWasm();
  const peakSamples = Array.from({ length: 15 }, () => peakSample(bench));

  const results = [];
  for (const [index, size] of SIZES.entries()) {
    const aCase = makeCase(size, 1000 + index);
    const simd = await createAttention({ simd: true });
    const scalar = await createAttention({ simd: false });
    const tfForward = tfjsAttention(tfjs.tf, aCase);

    // the same stages from every implementation, against the SIMD build's
    const reference = simd.forward(aCase);
    const disagree = [];
    const others = { scalar: scalar.forward(aCase), 'plain JS': plainForward(aCase), tfjs: tfForward(aCase.query.data) };
    if (size.L * size.E <= 4096) others.native = nativeStages(aCase, simd.configFields);
    for (const [name, stages] of Object.entries(others)) {
      const failures = stages ? compareStages(stages, reference) : ['did not run'];
      if (failures.length) disagree.push(`${name}: ${failures[0]}`);
    }
    const memory = { simd: simd.memoryBytes(), scalar: scalar.memoryBytes() }; /* before any gradients */
    // and the same gradients from the backward pass of each build
    const given = makeGradient(size, 3000 + index);
    const referenceGrads = simd.backward(given);
    let reused = simd.backward(given); /* backward(given, reused) fills these arrays again */
    const otherGrads = { 'scalar backward': scalar.backward(given) };
    if (size.L * size.E <= 4096) otherGrads['native backward'] = nativeGradients(aCase, given, simd.configFields);
    for (const [name, grads] of Object.entries(otherGrads)) {
      const failures = grads ? compareStages(grads, referenceGrads) : ['did not run'];
      if (failures.length) disagree.push(`${name}: ${failures[0]}`);
    }

    // simdCore, scalarCore: the C attn_forward() alone, on the inputs the
    // last forward() wrote (the binding's internals: core, handle)
    const times = timeTogether({
      simd: () => simd.forward(aCase),
      scalar: () => scalar.forward(aCase),
      plain: () => plainForward(aCase),
      tfjs: () => tfForward(aCase.query.data),
      simdCore: () => simd.core.attn_forward(simd.handle),
      scalarCore: () => scalar.core.attn_forward(scalar.handle),
      simdBackward: () => simd.backward(given),
      scalarBackward: () => scalar.backward(given),
      simdBackwardInto: () => { reused = simd.backward(given, reused); },
      simdBackwardCore: () => simd.core.attn_backward(simd.handle),
      scalarBackwardCore: () => scalar.core.attn_backward(scalar.handle),
    }, size.rounds);
    times.native = timeNative(aCase, simd.configFields, size.nativeRuns);
    times.nativeBackward = timeNativeBackward(aCase, given, simd.configFields, Math.ceil(size.nativeRuns / 2));
    const gemm = timeGemm(bench, size, 2000 + index);
    results.push({ size, times, gemm, disagree, memory, memoryWithGradients: simd.memoryBytes() });
    tfForward.dispose();
    simd.dispose();
    scalar.dispose();
  }
  peakSamples.push(...Array.from({ length: 15 }, () => peakSample(bench)));
  const peak = median(peakSamples);

  // ---- tables ----
  const impls = [['simd', 'SIMD wasm'], ['scalar', 'scalar wasm'], ['native', 'native gcc -O3'], ['plain', 'plain JS'], ['tfjs', 'tfjs-wasm']];
  console.log(`\nf32x4 mul+add peak (peak.c, ${bench.bench_peak_chains()} chains in registers): ${fmtGflops(peak)} GFLOPS` +
    ` (median of ${peakSamples.length} samples, ${fmtGflops(Math.min(...peakSamples))}–${fmtGflops(Math.max(...peakSamples))})`);
  console.log('\nforward(): median time per call after warm-up (GFLOPS)');
  console.log(table(
    ['size', 'MFLOP', ...impls.map(([, label]) => label), 'wasm memory'],
    results.map(({ size, times, memory }) => [
      `${size.name} (L=${size.L} E=${size.E} H=${size.H})`, (flopsOf(size) / 1e6).toFixed(flopsOf(size) < 1e6 ? 4 : 1),
      ...impls.map(([key]) => `${fmtTime(times[key])} (${fmtGflops(flopsOf(size) / times[key] / 1e6)})`),
      memory.simd === memory.scalar ? fmtBytes(memory.simd) : `${fmtBytes(memory.simd)} / ${fmtBytes(memory.scalar)}`,
    ])));

  console.log('\nratios (time of the other / time of SIMD wasm: above 1 = SIMD is faster), and the projection GEMM alone');
  console.log(table(
    ['size', 'scalar', 'native', 'plain JS', 'tfjs', 'proj. GEMM L×E·E×E', '% of peak', '4 GEMMs / forward'],
    results.map(({ size, times, gemm }) => [
      size.name, ...['scalar', 'native', 'plain', 'tfjs'].map((k) => `${(times[k] / times.simd).toFixed(2)}×`),
      `${fmtTime(gemm.ms)} (${fmtGflops(gemm.gflops)} GFLOPS)`, `${gemm.percent.toFixed(0)}%`,
      `${((100 * 4 * gemm.ms) / times.simd).toFixed(0)}%`,
    ])));

  console.log('\nwhere the time of forward() goes: the C attn_forward() alone, the 4 projection GEMMs in it (timed alone),');
  console.log('the rest of the C (scores, softmax, context, packing, comparing the weights), and the JS binding');
  console.log('(parsing, copying the inputs in and every stage out)');
  console.log(table(
    ['size', 'build', 'forward()', 'C attn_forward', '4 proj. GEMMs', 'rest of C', 'binding'],
    results.flatMap(({ size, times, gemm }) => [
      [size.name, 'SIMD', fmtTime(times.simd), fmtTime(times.simdCore), fmtTime(4 * gemm.ms),
        fmtTime(Math.max(0, times.simdCore - 4 * gemm.ms)), fmtTime(Math.max(0, times.simd - times.simdCore))],
      ['', 'scalar', fmtTime(times.scalar), fmtTime(times.scalarCore), '', '', fmtTime(Math.max(0, times.scalar - times.scalarCore))],
    ])));

  console.log('\nbackward() beside forward(): median time per call in the same turns, and backward / forward');
  console.log('(backward(): dL/d output in, the gradient of every input and stage copied out into new arrays;');
  console.log('backward(g, last): into the arrays of the last result; C: attn_backward() / attn_forward() alone;');
  console.log('wasm memory: with the gradient buffers, which the first backward() allocates)');
  const ratio = (b, f) => `${(b / f).toFixed(2)}×`;
  console.log(table(
    ['size', 'SIMD forward()', 'SIMD backward()', 'ratio', 'backward(g, last)', 'ratio', 'C ratio', 'scalar ratio', 'C ratio', 'native ratio', 'wasm memory'],
    results.map(({ size, times, memoryWithGradients }) => [
      size.name, fmtTime(times.simd), fmtTime(times.simdBackward), ratio(times.simdBackward, times.simd),
      fmtTime(times.simdBackwardInto), ratio(times.simdBackwardInto, times.simd), ratio(times.simdBackwardCore, times.simdCore),
      ratio(times.scalarBackward, times.scalar), ratio(times.scalarBackwardCore, times.scalarCore), ratio(times.nativeBackward, times.native),
      fmtBytes(memoryWithGradients),
    ])));

  for (const { size, disagree } of results)
    for (const d of disagree) console.log(`warning: at ${size.name}, ${d} (differs from the SIMD build past the test tolerance)`);
  if (results.every((r) => !r.disagree.length))
    console.log('\nevery implementation computed the same stages, and every build the same gradients, as the SIMD build (tests/helpers.mjs tolerance)');

  // ---- targets ----
  const bert = results.find((r) => r.size.name === 'BERT-base layer');
  const lecture = results.find((r) => r.size.name === 'lecture');
  const targets = [
    ['SIMD ≥ 4× the scalar wasm build (BERT-base)', bert.times.scalar / bert.times.simd >= 4,
      `${(bert.times.scalar / bert.times.simd).toFixed(2)}× (${fmtTime(bert.times.simd)} vs ${fmtTime(bert.times.scalar)})`],
    ['SIMD ≤ 0.5× tfjs-backend-wasm\'s time (BERT-base)', bert.times.simd / bert.times.tfjs <= 0.5,
      `${(bert.times.simd / bert.times.tfjs).toFixed(2)}× (${fmtTime(bert.times.simd)} vs ${fmtTime(bert.times.tfjs)})`],
    ['projection GEMMs ≥ 60% of the measured peak (BERT-base)', bert.gemm.percent >= 60,
      `${bert.gemm.percent.toFixed(0)}% (median of 15 samples, each against a peak sample taken just before it;` +
      ` medians ${fmtGflops(bert.gemm.gflops)} and ${fmtGflops(bert.gemm.peak)} GFLOPS)`],
    ['forward() ≤ 2× plain JS at the lecture size', lecture.times.simd / lecture.times.plain <= 2,
      `${(lecture.times.simd / lecture.times.plain).toFixed(2)}× (${fmtTime(lecture.times.simd)} vs ${fmtTime(lecture.times.plain)})`],
    ['backward() ≤ 2.5× forward() (BERT-base, SIMD; issue 16), every gradient into new arrays', bert.times.simdBackward / bert.times.simd <= 2.5,
      `${(bert.times.simdBackward / bert.times.simd).toFixed(2)}× (${fmtTime(bert.times.simdBackward)} vs ${fmtTime(bert.times.simd)})`],
    ['the same, into the arrays of the last result (backward(g, last))', bert.times.simdBackwardInto / bert.times.simd <= 2.5,
      `${(bert.times.simdBackwardInto / bert.times.simd).toFixed(2)}× (${fmtTime(bert.times.simdBackwardInto)} vs ${fmtTime(bert.times.simd)};` +
      ` the C attn_backward() alone ${(bert.times.simdBackwardCore / bert.times.simdCore).toFixed(2)}× attn_forward())`],
  ];
  console.log('\ntargets (issues 5 and 16), measured in this run:');
  for (const [what, pass, detail] of targets) console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${what}: ${detail}`);
  console.log(`\nbench took ${((now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error) => {
  console.error(`bench could not run: ${error.stack || error}`);
  process.exit(1);
});
