// bench.mjs: `make bench` in Node (run with --experimental-wasm-relaxed-simd,
// so that Node 20 runs the relaxed build). Times one forward() at four sizes,
// in one Node process on one thread, on
//   - each wasm build (relaxed SIMD, SIMD, scalar), by two paths (timing.mjs's
//     forwards()): resident (weights uploaded once; a call sets query and
//     returns views, as the page does) and copy (forward(aCase): every input
//     in, every weight packed again, every stage copied out);
//   - the native build of the same C (gcc -O3 -march=native, the driver's
//     `time N`, in a child process);
//   - plain JS over Float32Array (plain.mjs);
//   - @tensorflow/tfjs-backend-wasm (tfjs.mjs), weights uploaded once;
// the C attn_forward() alone on each path; backward() (dL/d output given,
// every gradient returned: copies, into the last result's arrays, or views)
// beside forward() in the same turns, on every wasm build and the native one
// (the driver's `time_backward N`), with its ratio to forward() (issue 16's
// target: at most 2.5× at the BERT-base layer); and,
// on their own, the projection
// GEMM of the SIMD and the relaxed kernels and this machine's f32x4 peaks
// (peak.c: mul+add in build/attn-bench.wasm, relaxed_madd in
// build/attn-bench-relaxed.wasm). Prints medians after warm-up, GFLOPS,
// ratios, the breakdown (the projections and the rest of the C, timed stage
// by stage in the same turns: stages.c; the binding), the wasm
// memory of each size and the targets of issues 5, 14 and 16 at the BERT-base
// layer. chromium.mjs times the same forward passes in headless Chromium.
// A report, not a test: it exits 0 whatever it finds (and 1 only when
// something could not run at all).
//
// Timing (timing.mjs): the implementations take turns, a block of samples
// each (~0.1 s) per round, over 12-15 rounds, so that a change of clock speed
// or of load on the machine (on a shared host it comes and goes within
// seconds) touches them alike; the figure is the median sample. Flops count
// 2·m·n·k for each product (the four projections, q·kᵀ and weights·v),
// nothing for softmax and the rest.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createAttention, supportedBuilds, parseCase, sumSharedInputs } from '../../web/attention.mjs';
import { compareStages, driverScript, runDriver, NATIVE, ROOT } from '../helpers.mjs';
import { SIZES, seeded, makeCase, flopsOf, forwards, timeTogether, median, fmtTime, fmtGflops, fmtRatio, table } from './timing.mjs';
import { startTfjs } from './tfjs.mjs';

const now = () => performance.now();

/* ---- the peaks and the GEMM alone (build/attn-bench*.wasm) ---- */

async function loadBenchWasm(file) {
  const { instance } = await WebAssembly.instantiate(readFileSync(join(ROOT, 'build', file)), {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: { fd_write: () => 52, fd_seek: () => 52, fd_close: () => 52 }, /* never called */
  });
  const x = instance.exports;
  if (x._initialize) x._initialize();
  return x;
}

/* One sample of a peak probe: GFLOPS over about `ms` milliseconds. */
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
 * runs it, in each bench wasm, timed in paired samples: sample() takes a
 * sample of the mul+add peak and of the FMA peak, then times every build's
 * GEMM (in turn, the order alternating), so that a change on the host touches
 * the builds and the peaks of one sample alike. main() calls it between
 * timeTogether()'s rounds, so that the samples spread over the minute or so
 * that forward() is timed in. result(): { build: { ms, gflops, percent } }
 * (medians; percent: of the mul+add peak sample taken just before), and with
 * the relaxed build, per sample: ratio (SIMD ms / relaxed ms) and peaks (FMA
 * peak / mul+add peak), which move together on a shared host (README, "Why
 * the relaxed GEMM is not 1.1× the SIMD one"). */
function gemmSampler(benches, { L, E }, random) {
  const runs = {};
  for (const [build, x] of Object.entries(benches)) {
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
    for (let t = now(); now() - t < 100;) run();
    let once = now();
    run();
    once = now() - once;
    runs[build] = { run, n: Math.max(1, Math.ceil(10 / Math.max(once, 1e-4))), ms: [], percent: [] };
  }
  const flops = 2 * L * E * E, builds = Object.keys(runs), ratio = [], peaks = [];
  const sample = () => {
    const peak = peakSample(benches.simd), fmaPeak = benches.relaxed && peakSample(benches.relaxed);
    for (const build of runs[builds[0]].ms.length % 2 ? [...builds].reverse() : builds) {
      const r = runs[build], t = now();
      for (let i = 0; i < r.n; i++) r.run();
      const ms = (now() - t) / r.n;
      r.ms.push(ms);
      r.percent.push((100 * flops) / ms / 1e6 / peak);
    }
    if (benches.relaxed) {
      ratio.push(runs.simd.ms.at(-1) / runs.relaxed.ms.at(-1));
      peaks.push(fmaPeak / peak);
    }
  };
  const result = () => {
    const out = {};
    for (const [build, r] of Object.entries(runs)) out[build] = { ms: median(r.ms), gflops: flops / median(r.ms) / 1e6, percent: median(r.percent) };
    if (benches.relaxed) out.paired = { ratio, peaks };
    return out;
  };
  return { sample, result };
}

/* the paired GEMM samples of one size (BENCH_GEMM_SAMPLES=600: a longer look at the host) */
const GEMM_SAMPLES = Number(process.env.BENCH_GEMM_SAMPLES) || 30;

/* The relaxed / SIMD GEMM ratio of paired samples: its median and middle
 * half, and its median apart in the samples whose FMA peak was at least
 * FMA_AHEAD× the mul+add peak (here 1.01-1.04× while the mul+add peak held
 * its best, 1.1-1.2× while something else on the host slowed it). */
const FMA_AHEAD = 1.06;
function pairedRatio({ ratio, peaks }) {
  const ahead = ratio.filter((_, i) => peaks[i] >= FMA_AHEAD), level = ratio.filter((_, i) => peaks[i] < FMA_AHEAD);
  const part = (xs, what) => `${xs.length ? fmtRatio(median(xs)) : '-'} ${what} (${xs.length} sample${xs.length === 1 ? '' : 's'})`;
  const sorted = [...ratio].sort((a, b) => a - b), quarter = (q) => sorted[Math.round(q * (sorted.length - 1))];
  return {
    median: median(ratio),
    text: `${fmtRatio(median(ratio))}, median of ${ratio.length} paired samples (the middle half ${fmtRatio(quarter(0.25))}–${fmtRatio(quarter(0.75))}): ` +
      `${part(level, `where the FMA peak was below ${fmtRatio(FMA_AHEAD)} the mul+add peak`)}, ${part(ahead, 'where it was ahead')}`,
  };
}

/* ---- forward()'s stages (stages.c) ---- */

const STAGES = ['project_q', 'project_kv', 'scale_q', 'score', 'softmax', 'average_heads', 'attend', 'project_out'];
const maskOf = (names) => names.reduce((mask, name) => mask | (1 << STAGES.indexOf(name)), 0);
const PROJECTIONS = maskOf(['project_q', 'project_kv', 'project_out']); /* the 4 projection GEMMs */
const REST = maskOf(['scale_q', 'score', 'softmax', 'average_heads', 'attend']);

/* An Attention on build/attn-stages-BUILD.wasm (the build's core plus
 * bench_stages()), holding aCase: web/core.js loads it in place of the
 * build, for this one call. */
async function stagesAttention(build, aCase) {
  const sources = createRequire(import.meta.url)('../../build/attn-wasm.js'); /* the object core.js reads */
  const kept = sources[build];
  sources[build] = readFileSync(join(ROOT, 'build', `attn-stages-${build}.wasm`)).toString('base64');
  try {
    const attention = await createAttention({ build });
    attention.forward(aCase);
    return attention;
  } finally {
    sources[build] = kept;
  }
}

/* A call of the mul+add peak probe of about 5 ms, and its flops, to take
 * turns with forward() (the peak of the same turns) */
function peakProbe(x) {
  const flopsPerRound = x.bench_peak_chains() * 4 * 2;
  let rounds = 100000, t = now();
  x.bench_peak(rounds, 1.0000001, 1e-7);
  rounds = Math.max(rounds, Math.round((rounds * 5) / Math.max(now() - t, 1e-3)));
  return { run: () => x.bench_peak(rounds, 1.0000001, 1e-7), flops: rounds * flopsPerRound };
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

/* ---- the C alone ---- */

/* attn_forward() of an Attention on the inputs it holds; with repack, each
 * weight marked changed first, as the copy path's forward(aCase) does. */
function cForward(attention, { repack = false } = {}) {
  const { core, handle } = attention;
  const weights = attention.plan.inputs.filter(({ name }) => /weight/.test(name)).map(({ index }) => index);
  return () => {
    if (repack) for (const index of weights) core.attn_input_changed(handle, index);
    core.attn_forward(handle);
  };
}

/* backward()'s argument: a seeded dL/d output, L×E */
function makeGradient({ L, E }, seed) {
  const random = seeded(seed);
  return { output: { shape: [L, E], data: Float32Array.from({ length: L * E }, () => random() * 2 - 1) } };
}

/* ---- the report ---- */

function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/);
  const version = (command, args) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0].trim();
    } catch {
      return `${command} ?`;
    }
  };
  const emcc = version(process.env.EMCC || 'emcc', ['--version']).replace(/\(Emscripten gcc\/clang-like replacement[^)]*\)\s*/, '').replace(/ \(\)$/, '');
  const clang = version('clang-19', ['--version']);
  return `${cpu ? cpu[1].trim() : 'unknown CPU'}; Node ${process.version}; ${emcc}; ${clang}`;
}

async function main() {
  const started = now();
  const builds = supportedBuilds();
  console.log('make bench: one forward() and one backward() of nn.MultiheadAttention (self-attention, bias, random weights)');
  console.log(`machine: ${machine()}`);
  console.log(`wasm builds this Node runs: ${builds.join(', ')}` +
    (builds.includes('relaxed') ? '' : ' (the relaxed build needs node --experimental-wasm-relaxed-simd)'));
  const defaultBuild = builds[0];

  const tfjs = await startTfjs();
  console.log(`tfjs-backend-wasm ${tfjs.tf.version_core}: backend ${tfjs.tf.getBackend()}, ${tfjs.wasmFile}` +
    ` (SIMD ${tfjs.simd ? 'on' : 'off'}), ${tfjs.threads} thread`);
  const benches = { simd: await loadBenchWasm('attn-bench.wasm') };
  if (builds.includes('relaxed')) benches.relaxed = await loadBenchWasm('attn-bench-relaxed.wasm');
  const peakSamples = Array.from({ length: 15 }, () => peakSample(benches.simd));
  const fmaSamples = benches.relaxed ? Array.from({ length: 15 }, () => peakSample(benches.relaxed)) : [];

  const results = [];
  const configFields = (await createAttention()).configFields;
  /* BENCH_SIZES=lecture,BERT-base layer: those sizes only (a shorter run) */
  const only = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',') : null;
  for (const [index, size] of SIZES.entries()) {
    if (only && !only.includes(size.name)) continue;
    const aCase = makeCase(size, 1000 + index);
    const { fns, attentions, dispose } = await forwards(aCase, { createAttention, builds, tf: tfjs.tf });

    // the same stages from every path and implementation, against the SIMD copy path's
    const reference = fns['simd copy']();
    const disagree = [];
    const others = Object.fromEntries(Object.entries(fns).map(([name, fn]) => [name, fn()]));
    if (size.L * size.E <= 4096) others.native = nativeStages(aCase, configFields);
    for (const [name, stages] of Object.entries(others)) {
      const failures = stages ? compareStages(stages, reference) : ['did not run'];
      if (failures.length) disagree.push(`${name}: ${failures[0]}`);
    }

    const memory = Object.fromEntries(builds.map((b) => [b, attentions[b].memoryBytes()])); /* before any gradients */

    // the same gradients from the backward pass of every build, on the
    // resident path's Attention (its last forward() ran above), against SIMD's
    const given = makeGradient(size, 3000 + index);
    const grads = Object.fromEntries(builds.map((b) => [b, attentions[b].backward(given)]));
    if (size.L * size.E <= 4096) grads.native = nativeGradients(aCase, given, configFields);
    for (const [name, got] of Object.entries(grads)) {
      const failures = got ? compareStages(got, grads.simd) : ['did not run'];
      if (failures.length) disagree.push(`${name} backward: ${failures[0]}`);
    }

    // BUILD backward: backward() on the resident path's Attention, every
    // gradient copied out into new arrays; BUILD backward into: into the
    // arrays of the last result (backward(g, last)); BUILD backward views:
    // views into wasm memory (backward(g, { copy: false }), beside the
    // resident forward()'s views); the C alone beside each
    const cFns = {}, backwardFns = {};
    for (const build of builds) {
      const attention = attentions[build];
      cFns[`${build} C`] = cForward(attention);
      if (attentions[`${build} copy`]) cFns[`${build} copy C`] = cForward(attentions[`${build} copy`], { repack: true });
      backwardFns[`${build} backward`] = () => attention.backward(given);
      if (build !== 'scalar') {
        let last = attention.backward(given);
        backwardFns[`${build} backward into`] = () => (last = attention.backward(given, last));
      }
      backwardFns[`${build} backward views`] = () => attention.backward(given, { copy: false });
      backwardFns[`${build} backward C`] = () => attention.core.attn_backward(attention.handle);
    }
    // forward()'s stages: the projections and the rest in the same turns (each
    // stage of the rest too at the BERT-base layer), and the mul+add peak
    const stageFns = {}, stageAttentions = [];
    for (const build of builds.filter((b) => b !== 'scalar')) {
      const attention = await stagesAttention(build, aCase);
      stageAttentions.push(attention);
      const run = (mask) => () => attention.core.bench_stages(attention.handle, mask);
      stageFns[`${build} projections`] = run(PROJECTIONS);
      stageFns[`${build} rest`] = run(REST);
      if (size.name === 'BERT-base layer')
        for (const name of STAGES) if (REST & maskOf([name])) stageFns[`${build} ${name}`] = run(maskOf([name]));
    }
    const peak = peakProbe(benches.simd);
    const gemms = gemmSampler(benches, size, seeded(2000 + index));
    let round = 0; /* GEMM_SAMPLES in all, spread evenly over the rounds */
    const afterRound = () => {
      const from = Math.round((GEMM_SAMPLES * round) / size.rounds), to = Math.round((GEMM_SAMPLES * ++round) / size.rounds);
      for (let i = from; i < to; i++) gemms.sample();
    };
    const times = timeTogether({ ...fns, ...cFns, ...backwardFns, ...stageFns, peak: peak.run }, size.rounds, { afterRound });
    times.peakGflops = peak.flops / times.peak / 1e6;
    for (const attention of stageAttentions) attention.dispose();
    times.native = timeNative(aCase, configFields, size.nativeRuns);
    times['native backward'] = timeNativeBackward(aCase, given, configFields, Math.ceil(size.nativeRuns / 2));
    const gemm = gemms.result();
    const memoryWithGradients = Object.fromEntries(builds.map((b) => [b, attentions[b].memoryBytes()]));
    results.push({ size, times, gemm, disagree, memory, memoryWithGradients });
    dispose();
  }
  peakSamples.push(...Array.from({ length: 15 }, () => peakSample(benches.simd)));
  if (benches.relaxed) fmaSamples.push(...Array.from({ length: 15 }, () => peakSample(benches.relaxed)));
  const peak = median(peakSamples), fmaPeak = fmaSamples.length ? median(fmaSamples) : NaN;
  const range = (xs) => `median of ${xs.length} samples, ${fmtGflops(Math.min(...xs))}–${fmtGflops(Math.max(...xs))}`;

  // ---- tables ----
  console.log(`\nf32x4 mul+add peak (peak.c, ${benches.simd.bench_peak_chains()} chains in registers): ${fmtGflops(peak)} GFLOPS (${range(peakSamples)})`);
  if (benches.relaxed)
    console.log(`f32x4.relaxed_madd (FMA) peak, the same chains: ${fmtGflops(fmaPeak)} GFLOPS (${range(fmaSamples)}), ${fmtRatio(fmaPeak / peak)} the mul+add peak`);

  const paths = [...builds.flatMap((b) => (b === 'scalar' ? [[b, 'scalar']] : [[b, `${b}`], [`${b} copy`, `${b} copy`]]))];
  const impls = [...paths, ['native', 'native gcc -O3'], ['plain', 'plain JS'], ['tfjs', 'tfjs-wasm']];
  console.log('\nforward(): median time per call after warm-up (GFLOPS). BUILD: the resident path (weights uploaded once;');
  console.log('a call sets query and returns views, as the page does); BUILD copy: forward(aCase), every input in and every stage out');
  console.log(table(
    ['size', ...impls.map(([, label]) => label), 'wasm memory'],
    results.map(({ size, times, memory }) => [
      `${size.name} (L=${size.L} E=${size.E} H=${size.H})`,
      ...impls.map(([key]) => `${fmtTime(times[key])} (${fmtGflops(flopsOf(size) / times[key] / 1e6)})`),
      builds.map((b) => `${(memory[b] / 2 ** 20).toFixed(0)}`).join('/') + ' MiB',
    ])));

  console.log(`\nratios: time of each / time of tfjs-backend-wasm (below 1 = faster than tfjs), and the projection GEMM alone`);
  const gemmBuilds = Object.keys(benches);
  console.log(table(
    ['size', ...paths.map(([, label]) => label), ...gemmBuilds.map((b) => `${b} GEMM L×E·E×E (% of mul+add peak)`),
      ...(benches.relaxed ? ['relaxed / SIMD GEMM', 'FMA / mul+add peak'] : [])],
    results.map(({ size, times, gemm }) => [
      size.name, ...paths.map(([key]) => fmtRatio(times[key] / times.tfjs)),
      ...gemmBuilds.map((b) => `${fmtTime(gemm[b].ms)} (${fmtGflops(gemm[b].gflops)} GFLOPS, ${gemm[b].percent.toFixed(0)}%)`),
      ...(benches.relaxed ? [fmtRatio(median(gemm.paired.ratio)), fmtRatio(median(gemm.paired.peaks))] : []),
    ])));
  if (benches.relaxed)
    console.log(`(the GEMMs: medians of ${GEMM_SAMPLES} paired samples, taken between forward()'s rounds, each beside a sample of both peaks; the last two columns: ` +
      `medians of the samples' ratios. Where the FMA peak runs ahead, the mul+add code is being slowed by something else on the host)`);

  console.log('\nwhere the time of forward() goes: the C attn_forward() alone (on the copy path, every weight packed again first);');
  console.log('its stages, timed in the same turns (stages.c): the 4 projection GEMMs, and the rest (q scaled, scores with K');
  console.log('packed per head, softmax, the heads\' average, context with V packed per head); and the JS binding (resident');
  console.log('path: setting query, the views; copy path: parsing, copying every input in and every stage out)');
  console.log(table(
    ['size', 'path', 'forward()', 'C attn_forward', '4 projections', 'the rest', 'binding'],
    results.flatMap(({ size, times }) => paths.map(([key, label], i) => {
      const c = times[`${key} C`], staged = !key.includes(' ') && times[`${key} projections`];
      return [i ? '' : size.name, label, fmtTime(times[key]), fmtTime(c), staged ? fmtTime(times[`${key} projections`]) : '',
        staged ? fmtTime(times[`${key} rest`]) : '', fmtTime(Math.max(0, times[key] - c))];
    }))));
  const bertTimes = results.find((r) => r.size.name === 'BERT-base layer')?.times;
  if (bertTimes)
    for (const build of builds.filter((b) => b !== 'scalar'))
      console.log(`the rest at the BERT-base layer, ${build}: ` +
        STAGES.filter((name) => REST & maskOf([name])).map((name) => `${name} ${fmtTime(bertTimes[`${build} ${name}`])}`).join(', '));

  console.log('\nbackward() beside forward(): median time per call in the same turns, and backward / forward (resident path).');
  console.log('backward(): dL/d output in, the gradient of every input and stage copied out into new arrays; backward(g, last):');
  console.log('into the arrays of the last result; views: backward(g, { copy: false }), beside forward()\'s views (the resident');
  console.log('path); C: attn_backward() / attn_forward() alone; wasm memory: with the gradient buffers, which the first');
  console.log('backward() allocates');
  const ratio = (b, f) => (b && f ? fmtRatio(b / f) : '');
  console.log(table(
    ['size', 'build', 'forward()', 'backward()', 'ratio', 'backward(g, last)', 'ratio', 'views', 'ratio', 'C ratio', 'wasm memory'],
    results.flatMap(({ size, times, memoryWithGradients }) => [
      ...builds.map((b, i) => [i ? '' : size.name, b, fmtTime(times[b]), fmtTime(times[`${b} backward`]), ratio(times[`${b} backward`], times[b]),
        times[`${b} backward into`] ? fmtTime(times[`${b} backward into`]) : '', ratio(times[`${b} backward into`], times[b]),
        fmtTime(times[`${b} backward views`]), ratio(times[`${b} backward views`], times[b]),
        ratio(times[`${b} backward C`], times[`${b} C`]), `${(memoryWithGradients[b] / 2 ** 20).toFixed(0)} MiB`]),
      ['', 'native', fmtTime(times.native), fmtTime(times['native backward']), ratio(times['native backward'], times.native), '', '', '', '', '', ''],
    ])));

  for (const { size, disagree } of results)
    for (const d of disagree) console.log(`warning: at ${size.name}, ${d} (differs from the SIMD build past the test tolerance)`);
  if (results.every((r) => !r.disagree.length))
    console.log('\nevery path and implementation computed the same stages, and every build the same gradients, as the SIMD build (tests/helpers.mjs tolerance)');

  // ---- targets ----
  const bert = results.find((r) => r.size.name === 'BERT-base layer');
  const lecture = results.find((r) => r.size.name === 'lecture');
  if (!bert || !lecture) {
    console.log('\n(the targets need the lecture and the BERT-base layer)');
    return;
  }
  const paired = benches.relaxed && pairedRatio(bert.gemm.paired);
  const t = bert.times, vs = (a, b) => `${fmtRatio(a / b)} (${fmtTime(a)} vs ${fmtTime(b)})`;
  const gflopsOf = (ms) => flopsOf(bert.size) / ms / 1e6;
  const notRun = 'not run: this Node does not run the relaxed build (make bench passes --experimental-wasm-relaxed-simd)';
  const targets = [
    ['issue 14', 'with --experimental-wasm-relaxed-simd, the default createAttention() (relaxed, resident path) ≤ 0.45× tfjs-backend-wasm',
      t.relaxed ? t.relaxed / t.tfjs <= 0.45 : null, t.relaxed ? vs(t.relaxed, t.tfjs) : notRun],
    ['issue 14', 'without the flag, the default createAttention() (SIMD, resident path) ≤ 0.5× tfjs-backend-wasm',
      t.simd / t.tfjs <= 0.5, vs(t.simd, t.tfjs)],
    ['issue 14', `the whole forward() of the default build (${defaultBuild}, resident path, binding included) ≥ 80% of the mul+add peak`,
      gflopsOf(t[defaultBuild]) / t.peakGflops >= 0.8,
      `${((100 * gflopsOf(t[defaultBuild])) / t.peakGflops).toFixed(0)}% (${fmtGflops(gflopsOf(t[defaultBuild]))} of ${fmtGflops(t.peakGflops)} GFLOPS, the peak probe's ` +
      `median in the same turns; ${((100 * gflopsOf(t[defaultBuild])) / peak).toFixed(0)}% of the whole run's ${fmtGflops(peak)}; ` +
      `the other SIMD build ${builds.filter((b) => b !== defaultBuild && b !== 'scalar').map((b) => `(${b}) ${((100 * gflopsOf(t[b])) / t.peakGflops).toFixed(0)}%`).join(', ')})`],
    ['issue 14', 'the relaxed projection GEMM ≥ 1.1× the SIMD one (each timed alone)',
      paired ? paired.median >= 1.1 : null,
      paired ? `${paired.text}; over the whole run the FMA peak is ${fmtRatio(fmaPeak / peak)} the mul+add peak` : notRun],
    ['issue 14', 'the SIMD build ≥ 4× the scalar build (resident paths)', t.scalar / t.simd >= 4, vs(t.scalar, t.simd)],
    ['issue 5', 'the SIMD projection GEMM ≥ 60% of the mul+add peak', bert.gemm.simd.percent >= 60,
      `${bert.gemm.simd.percent.toFixed(0)}% (median of ${GEMM_SAMPLES} samples, each against a peak sample taken just before it)`],
    ['issue 5', `forward() ≤ 2× plain JS at the lecture size (${defaultBuild}, resident path; copy path)`,
      lecture.times[defaultBuild] / lecture.times.plain <= 2,
      `${vs(lecture.times[defaultBuild], lecture.times.plain)}; copy path ${fmtRatio(lecture.times[`${defaultBuild} copy`] / lecture.times.plain)}`],
    ...builds.filter((b) => b !== 'scalar').flatMap((b) => [
      /* like for like: forward() here is the resident path, which returns views */
      ['issue 16', `backward() ≤ 2.5× forward() (${b}): its views (backward(g, { copy: false })) beside forward()'s views`,
        t[`${b} backward views`] / t[b] <= 2.5,
        `${vs(t[`${b} backward views`], t[b])}; the C attn_backward() alone ${fmtRatio(t[`${b} backward C`] / t[`${b} C`])} attn_forward()`],
      ['issue 16', `(for reference) into the arrays of the last result, backward(g, last)`, undefined, vs(t[`${b} backward into`], t[b])],
      ['issue 16', `(for reference) every gradient into new arrays (14 MB a call), backward(g)`, undefined, vs(t[`${b} backward`], t[b])],
    ]),
  ];
  console.log('\ntargets at the BERT-base layer (L=128, E=768, H=12) unless said, measured in this run (Node):');
  for (const [issue, what, pass, detail] of targets)
    console.log(`  ${pass === undefined ? '    ' : pass === null ? 'N/A ' : pass ? 'PASS' : 'FAIL'}  ${issue}: ${what}: ${detail}`);
  console.log(`\nbench took ${((now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error) => {
  console.error(`bench could not run: ${error.stack || error}`);
  process.exit(1);
});
