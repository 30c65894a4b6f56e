// attention.mjs: the attention core for Node and bundlers, as an ES module.
//
//   import { createAttention } from './web/attention.mjs';
//   const attention = await createAttention();          // { build } to choose the build
//   const { attn_weights, output } = attention.forward(aCase);
//   const grads = attention.backward({ output: dOut });    // dL/d every input and stage
//
// The code lives in the classic scripts core.js and case.js, which a page
// opened from file:// loads with <script src> (it cannot load modules).
import core from './core.js';
import caseFormat from './case.js';

/* the wasm builds (relaxed, simd, scalar) and which of them this engine runs */
export const { supportedBuilds, BUILDS } = core;

export const { createAttention, CoreError, sumSharedInputs } = core;
export const { parseCase, parseJSON, stagesToJSON, CaseError, STAGE_NAMES } = caseFormat;
