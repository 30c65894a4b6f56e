#!/usr/bin/env node
// make-corpus.mjs: writes the seed inputs of tests/fuzz/corpus/, a handful
// that reach each option of the core, in the byte format fuzz_attn.c reads
// (see its header). Run it again after changing that format:
//     node tests/fuzz/make-corpus.mjs
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');

const OP = { configure: 0, forward: 3, refill: 4, configureNull: 5, configureSame: 6, misc: 7 };
const SPECIAL_DIMS = [0, -1, 1, 4096, 4097, 2048, 8, 9, 2147483647, -2147483648, -4096, 4095];
const SPECIAL_FLAGS = [2, -1, 2147483647, -2147483648, 0, 1, 3, 256, 0, 1, -2, 65536];
const DEFAULTS = { E: 2, H: 1, kdim: 'E', vdim: 'E', L: 3, S: 3, bias: 1, bias_kv: 0, zero_attn: 0, average: 1, mask: 0, per_head: 0, pad: 0 };

const raw = (v) => [252, v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];

/* One field's bytes: the small encoding when there is one, else a special, else raw. */
function field(name, value, c) {
  const special = (table) => (table.indexOf(value) >= 0 ? [240 + table.indexOf(value)] : raw(value));
  switch (name) {
    case 'H': return value >= 1 && value <= 4 ? [value - 1] : value >= 1 && value <= 16 ? [192, value - 1] : special(SPECIAL_DIMS);
    case 'E': return value % c.H === 0 && value / c.H <= 8 ? [value / c.H - 1]
      : value % c.H === 0 && value / c.H <= 32 ? [192, value / c.H - 1] : special(SPECIAL_DIMS);
    case 'kdim': case 'vdim':
      return value === 'E' ? [0] : value >= 1 && value <= 12 ? [96 + value - 1] : value >= 1 && value <= 128 ? [192, value - 1] : special(SPECIAL_DIMS);
    case 'L': case 'S': return value >= 1 && value <= 12 ? [value - 1] : value >= 1 && value <= 128 ? [192, value - 1] : special(SPECIAL_DIMS);
    case 'mask': case 'pad': return value >= 0 && value <= 2 ? [value] : special(SPECIAL_FLAGS);
    case 'per_head': return (value === 0 || value === 1) && (value === 0 || c.mask === 1 || c.mask === 2) ? [value] : special(SPECIAL_FLAGS);
    default: return value === 0 || value === 1 ? [value] : special(SPECIAL_FLAGS);
  }
}

/* The config's bytes, in fuzz_attn.c's order (num_heads first). */
function config(change) {
  const c = { ...DEFAULTS, ...change };
  return ['H', 'E', 'kdim', 'vdim', 'L', 'S', 'bias', 'bias_kv', 'zero_attn', 'average', 'mask', 'per_head', 'pad']
    .flatMap((name) => field(name, c[name], c));
}

/* How many inputs attn_input() returns for a valid config. */
function usedInputs(change) {
  const c = { ...DEFAULTS, ...change };
  const packed = c.kdim === 'E' && c.vdim === 'E';
  return 3 + (packed ? 1 : 3) + 2 * c.bias + 2 * c.bias_kv + 1 + (c.mask ? 1 : 0) + (c.pad ? 1 : 0);
}

/* A fill from the PRNG: per input a mode (kind << 4 | mask threshold) and a seed. */
const TAME = 0, SPECIAL = 4, RAW = 6;
function fill(change, { kind = TAME, threshold = 1, seed = 1 } = {}) {
  return Array.from({ length: usedInputs(change) }, (_, i) => [(kind << 4) | threshold, (seed * 31 + i) & 255]).flat();
}
const configureAndFill = (change, options) => [OP.configure, ...config(change), ...fill(change, options)];

const SEEDS = {
  'lecture': configureAndFill({}),
  'two-heads-per-head-weights': configureAndFill({ E: 4, H: 2, L: 5, S: 5, average: 0 }),
  'no-bias': configureAndFill({ E: 6, H: 3, bias: 0 }),
  'bool-mask': configureAndFill({ E: 4, H: 2, L: 4, S: 4, mask: 1 }, { threshold: 1 }),
  'bool-mask-per-head': configureAndFill({ E: 8, H: 4, L: 9, S: 7, mask: 1, per_head: 1 }, { threshold: 2 }),
  'fully-masked-rows': configureAndFill({ E: 4, H: 2, L: 3, S: 2, mask: 1 }, { threshold: 3 }),
  'float-mask': configureAndFill({ E: 4, H: 1, L: 5, S: 6, mask: 2 }, { threshold: 1 }),
  'float-mask-per-head': configureAndFill({ E: 6, H: 2, L: 4, S: 9, mask: 2, per_head: 1, average: 0 }, { threshold: 2 }),
  'bool-padding-mask': configureAndFill({ E: 4, H: 2, L: 3, S: 8, pad: 1 }, { threshold: 1 }),
  'float-padding-mask': configureAndFill({ E: 3, H: 1, L: 2, S: 5, pad: 2 }, { threshold: 1 }),
  'float-mask-and-float-padding': configureAndFill({ E: 4, H: 2, mask: 2, pad: 2 }, { threshold: 1 }),
  'bool-mask-and-float-padding': configureAndFill({ E: 4, H: 2, mask: 1, pad: 2 }, { threshold: 1 }),
  'float-mask-and-bool-padding': configureAndFill({ E: 4, H: 2, mask: 2, pad: 1, per_head: 1 }, { threshold: 2 }),
  'add-bias-kv': configureAndFill({ E: 4, H: 2, bias_kv: 1 }),
  'add-zero-attn': configureAndFill({ E: 4, H: 2, zero_attn: 1, average: 0 }),
  'bias-kv-zero-attn-all-masked': configureAndFill({ E: 4, H: 2, bias_kv: 1, zero_attn: 1, mask: 1, pad: 1 }, { threshold: 3 }),
  'cross-attention-kdim-vdim': configureAndFill({ E: 6, H: 2, kdim: 5, vdim: 3, L: 4, S: 11 }),
  'kdim-only': configureAndFill({ E: 4, H: 4, kdim: 7, L: 1, S: 12 }),
  'special-values': configureAndFill({ E: 4, H: 2, L: 4, S: 4, mask: 2 }, { kind: SPECIAL, seed: 7 }),
  'raw-float-bits': configureAndFill({ E: 4, H: 2, L: 3, S: 5, bias_kv: 1 }, { kind: RAW, seed: 9 }),
  'panel-edges': configureAndFill({ E: 68, H: 4, L: 33, S: 17 }),
  // values from the data: E = L = S = 1, one tame byte a value
  'values-from-data': [OP.configure, ...config({ E: 1, H: 1, L: 1, S: 1 }),
    0x80, 0, 16, 0x80, 0, 32, 0x80, 0, 48, 0x80, 0, 8, 24, 40, 0x80, 0, 1, 2, 3, 0x80, 0, 240, 0x80, 0, 4],
  // the largest accepted one (q_proj E×E = ATTN_MAX_ELEMENTS), configured but not computed, then a small one
  'limit-accepted': [OP.configure, ...config({ E: 4096, H: 1, kdim: 1, vdim: 1, L: 1, S: 1 }), ...fill({ kdim: 1, vdim: 1 }),
    ...configureAndFill({})],
  // past ATTN_MAX_BYTES, then past ATTN_MAX_ELEMENTS (scores), then past ATTN_MAX_DIM
  'limits-rejected': [...configureAndFill({}), OP.configure, ...config({ E: 4096, H: 1, kdim: 4096, vdim: 1, L: 1, S: 1 }),
    OP.configure, ...config({ E: 4, H: 2, L: 4096, S: 4096 }), OP.configure, ...config({ E: 4, H: 2, L: 4097 })],
  'invalid-then-forward': [OP.configure, ...config({ E: 5, H: 2 }), OP.forward, OP.configure, ...config({ E: 2, H: 1, per_head: 1 }),
    OP.forward, ...configureAndFill({}), OP.configure, ...config({ bias: 2 }), OP.forward],
  'extreme-fields': [OP.configure, ...config({ E: 2147483647, H: -2147483648, L: 0, S: -1, mask: 3, pad: -1 }),
    OP.configure, ...config({ E: 0, H: 0, kdim: -4096 })],
  'out-of-order': [OP.forward, OP.configureNull, OP.configureSame, OP.refill, OP.misc, ...configureAndFill({ E: 4, H: 2 }),
    OP.configureNull, OP.forward, OP.configureSame, OP.refill, ...fill({ E: 4, H: 2 }, { seed: 3 }), OP.misc],
  'grow-and-shrink': [...configureAndFill({ E: 2, L: 2, S: 2 }), ...configureAndFill({ E: 32, H: 4, L: 12, S: 12, mask: 1 }),
    ...configureAndFill({ E: 1, L: 1, S: 1, pad: 1 }), ...configureAndFill({ E: 12, H: 3, kdim: 5, vdim: 9, L: 7, S: 3, bias_kv: 1 }),
    ...configureAndFill({ E: 2, L: 2, S: 2 })],
};

mkdirSync(DIR, { recursive: true });
for (const old of readdirSync(DIR)) rmSync(join(DIR, old));
for (const [name, bytes] of Object.entries(SEEDS)) {
  for (const b of bytes) if (!Number.isInteger(b) || b < 0 || b > 255) throw new Error(`${name}: bad byte ${b}`);
  writeFileSync(join(DIR, name), Uint8Array.from(bytes));
}
console.log(`${Object.keys(SEEDS).length} seeds in ${DIR}`);
