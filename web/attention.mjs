// attention.mjs: the attention core for Node and bundlers, as an ES module.
//
//   import { createAttention } from './web/attention.mjs';
//   const attention = await createAttention();          // { simd } to choose the build
//   const { attn_weights, output } = attention.forward(aCase);
//
// The code lives in the classic scripts core.js and case.js, which a page
// opened from file:// loads with <script src> (it cannot load modules).
import core from './core.js';
import caseFormat from './case.js';

export const { createAttention, supportedBuilds, CoreError, BUILDS } = core;
export const { parseCase, parseJSON, stagesToJSON, CaseError, STAGE_NAMES } = caseFormat;
