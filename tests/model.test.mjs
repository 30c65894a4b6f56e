// model.test.mjs: the page's pure modules (web/page/model/) in Node: typed
// text as numbers, the palettes' contrast, links (partial ones filled in
// from an example), the case changes, the session (every edit through
// apply, checked against the core's forward(), with its history), and the
// classic scripts' declared needs against index.html's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createAttention } from '../web/attention.mjs';
import { loadFixtures, compareStages, ROOT } from './helpers.mjs';

const require = createRequire(import.meta.url);
const Case = require('../web/case.js');
const Format = require('../web/page/model/format.js');
const Cases = require('../web/page/model/cases.js');
const Link = require('../web/page/model/link.js');
const Catalogue = require('../web/page/model/catalogue.js');
const { Session } = require('../web/page/model/session.js');

const attention = await createAttention();
const fixtures = loadFixtures();
const copy = (x) => JSON.parse(JSON.stringify(x));
const lecture = () => ({ case: Cases.lectureCase(), view: {} });

test('typed text: a complete number in float32’s range is used as typed; anything else is an error that says why', () => {
  const good = [['1.234', 1.234], ['-0.0005', -0.0005], ['12345', 12345], ['0.005', 0.005], [' 2.5 ', 2.5], ['−1.5', -1.5], ['+3', 3],
    ['.5', 0.5], ['2.', 2], ['1e-3', 1e-3], ['1E4', 1e4], ['3.4028235e38', 3.4028235e38], ['NaN', NaN], ['inf', Infinity], ['-Infinity', -Infinity], ['∞', Infinity]];
  for (const [text, value] of good) assert.ok(Object.is(Format.parseNumber(text).value, value), `${text} -> ${value}`);
  const bad = [['', /empty/], ['1e', /not a number: "1e"/], ['1e40', /beyond float32's range/], ['-3.5e38', /beyond float32's range/],
    ['1.2.3', /not a number/], ['0x10', /not a number: "0x10"/], [' 2 5 ', /not a number: "2 5"/], ['1,000', /comma/], ['0,5', /comma/],
    ['-', /not a number/], ['e5', /not a number/], ['1 e5', /not a number/], ['12abc', /not a number/]];
  for (const [text, message] of bad) {
    const parsed = Format.parseNumber(text);
    assert.equal(parsed.value, undefined, `${JSON.stringify(text)} is not applied`);
    assert.match(parsed.error, message, JSON.stringify(text));
  }
});

test('the full text of a float32 reads back to it, as typed; ↑/↓ nudge the exact value', () => {
  for (const typed of ['1.234', '-0.0005', '12345', '0.005', '3.1415927', '1e-7', '65504.5']) {
    const f = Math.fround(Number(typed));
    assert.equal(Math.fround(Number(Format.fullText(f))), f, typed);
    assert.equal(Format.dataText(f), String(Number(typed)).length <= 9 ? String(Case.jsonNumber(f)) : Format.dataText(f));
  }
  assert.equal(Format.fullText(Math.fround(1.234)), '1.234');
  assert.equal(Format.nudge(Math.fround(1.234), 0.1), 1.334);
  assert.equal(Format.nudge(Math.fround(1.234), -0.01), 1.224);
  assert.equal(Format.nudge(Math.fround(0.1), 0.2), 0.3);
});

test('every entry of every palette has text in 4.5:1 contrast or more (WCAG AA)', () => {
  for (const kind of Format.KINDS)
    for (const theme of Format.THEMES)
      Format.colourTable(kind, theme).forEach((entry, i) => {
        const text = entry.color === '#000' ? [0, 0, 0] : [255, 255, 255];
        assert.ok(Format.contrast(entry.rgb, text) >= 4.5, `${kind} ${theme} #${i}: ${entry.background} with ${entry.color} is ${Format.contrast(entry.rgb, text).toFixed(2)}:1`);
      });
  const css = Format.paletteCSS('.attn-view');
  assert.match(css, /^\.attn-view \.c-s0\{background-color:rgb\(255, 255, 217\);color:#000\}/, 'the light palette by default');
  assert.match(css, /@media screen \{ \.attn-view\[data-theme="dark"\] \.c-s0\{/, 'the dark one when the view is dark, on screen only');
  assert.match(css, /prefers-color-scheme: dark\) \{ [^@]*\.attn-view\[data-theme="auto"\] \.c-d255\{/, 'and when it follows a dark system');
});

test('links: every fixture round-trips; an example by name; partial links are filled in from the example', () => {
  for (const f of fixtures) {
    const { case: c } = Link.decode(Link.encode({ case: f.case }, { whole: true }));
    assert.deepEqual(compareStages(attention.forward(c), attention.forward(f.case), { rtol: 0, atol: 0 }), [], `${f.name}: bit for bit`);
  }
  assert.equal(Link.encode(lecture()), '#example=lecture');
  assert.equal(Link.encode({ case: Cases.lectureCase(), view: { step: 5, theme: 'dark' } }), '#example=lecture&theme=dark&step=5');
  assert.deepEqual(Link.decode('#step=5'), { case: Cases.lectureCase(), view: { step: 5 } });
  assert.deepEqual(Link.decode('#stage=weights'), { case: Cases.lectureCase(), view: { stage: 'weights' } });
  assert.deepEqual(Link.decode('#example=sentence').case, Cases.EXAMPLES.sentence.make());
  const fourHeads = Link.decode('#example=sentence&num_heads=4&stage=weights');
  assert.deepEqual(fourHeads.case, { ...Cases.EXAMPLES.sentence.make(), num_heads: 4 });
  const noBias = Link.decode('#bias=0').case;
  assert.equal(noBias.in_proj_bias, undefined, 'an option is applied as its control applies it');
  assert.doesNotThrow(() => Case.parseCase(noBias));
  assert.deepEqual(Link.decode('#tokens=We,are,fine').case.tokens, ['We', 'are', 'fine']);
  /* attn_mask as a kind, as the mask control sets it: a causal sentence's
   * weights are 0 above the diagonal, as the core computes them */
  const causal = Link.decode('#example=sentence&attn_mask=causal&step=5');
  assert.deepEqual(causal, { case: Cases.withOption(Cases.EXAMPLES.sentence.make(), 'attn_mask', 'causal'), view: { step: 5 } });
  const { weights } = attention.forward(causal.case), L = causal.case.query.length;
  for (let h = 0; h < causal.case.num_heads; h++)
    for (let i = 0; i < L; i++)
      for (let j = 0; j < L; j++) assert.equal(weights.data[(h * L + i) * L + j] === 0, j > i, `weights[${h}][${i}][${j}]`);
  assert.equal(Link.decode('#example=previous_word&attn_mask=none').case.attn_mask, undefined, 'a trained example without its mask');
  assert.deepEqual(Link.decode('#attn_mask=bool').case.attn_mask, [[false, false, false], [false, false, false], [false, false, false]]);
  const whole = Link.encode({ case: Cases.EXAMPLES.sentence.make() }, { whole: true });
  assert.equal(Cases.maskMode(Link.decode(`${whole}&attn_mask=causal`).case), 'causal', 'a whole case takes a kind too');
  for (const [hash, message] of [['#example=nope', /no example "nope"/], ['#embed_dim=100000', /embed_dim up to 1024/], ['#tokens=a,b', /expected 3 labels/],
    ['#v=2', /version 2/], ['#too-big-for-a-link', /more numbers than a link can hold/],
    ['#example=sentence&attn_mask=causl', /^attn_mask: expected one of none, causal, bool, float$/]])
    assert.throws(() => Link.decode(hash), (e) => e instanceof Case.CaseError && message.test(e.message), hash);
  /* a view key that cannot be read, or a key of no meaning, is left out and said: the rest of the link holds */
  const partly = Link.decode('#example=pronoun&step=0&theme=pink&thme=dark&layout=steps');
  assert.deepEqual(partly.case, Cases.EXAMPLES.pronoun.make());
  assert.deepEqual(partly.view, { layout: 'steps' });
  assert.deepEqual(partly.problems.map((e) => [e.key, e.message]), [['step', 'step: expected a whole number from 1'], ['theme', 'theme: expected one of auto, light, dark'], ['thme', 'unknown key "thme" in the link']]);
  /* a view's flag alone is on; another bare word is left out and said, unless it names a part of the case */
  assert.deepEqual(Link.decode('#example=pronoun&present'), { case: Cases.EXAMPLES.pronoun.make(), view: { present: true } });
  const bare = Link.decode('#example=pronoun&dark&step=2');
  assert.deepEqual([bare.view, bare.problems.map((e) => e.message)], [{ step: 2 }, ['"dark" in the link is not key=value']]);
  for (const hash of ['#example', '#example=pronoun&query', '#tokens&example=pronoun'])
    assert.throws(() => Link.decode(hash), (e) => e instanceof Case.CaseError && /is not key=value/.test(e.message), hash);
  /* a state with more numbers than a link holds (E = 512: 1 M weights) gets a link that says so */
  const big = { ...Cases.lectureCase(), embed_dim: 512, query: [Array(512).fill(0.5)], tokens: ['a'] };
  big.in_proj_weight = Array.from({ length: 1536 }, () => Array(512).fill(0.25));
  assert.equal(Link.encode({ case: big }), '#too-big-for-a-link');
  /* Cases.copy is the JSON round trip it replaces */
  const odd = { a: [1, -0, [2.5, 'NaN']], b: undefined, c: null, d: true, e: { f: [] } };
  assert.deepEqual(Cases.copy(odd), JSON.parse(JSON.stringify(odd)));
});

test('a causal mask stays causal when tokens are added or removed', () => {
  let c = Cases.withMaskMode(Cases.lectureCase(), 'causal');
  assert.equal(Cases.maskMode(c), 'causal');
  c = Cases.withTokenAdded(c, 3, 'too');
  assert.deepEqual(c.attn_mask, Cases.causalMask(4));
  c = Cases.withTokenAdded(c, 0, 'first');
  assert.deepEqual(c.attn_mask, Cases.causalMask(5));
  c = Cases.withTokenRemoved(c, 2);
  assert.deepEqual(c.attn_mask, Cases.causalMask(4));
  /* a mask of the user's own keeps its cells, the new ones unmasked */
  let own = Cases.withMaskMode(Cases.lectureCase(), 'bool');
  own.attn_mask[0][2] = true;
  own = Cases.withTokenAdded(own, 1, 'new');
  assert.deepEqual(own.attn_mask, [[false, false, false, true], [false, false, false, false], [false, false, false, false], [false, false, false, false]]);
});

test('the session: an edit is applied exactly, once, and the stages are the core’s for the case it makes', () => {
  const s = new Session({ attention, state: lecture() });
  const changes = [];
  s.subscribe((change) => changes.push(change));
  assert.deepEqual(s.apply({ type: 'cell', key: 'query', index: 1, value: 1.234 }), { ok: true });
  const c = Cases.lectureCase();
  c.query[0][1] = 1.234;
  assert.deepEqual(s.case.query, c.query, 'the case holds the number as typed');
  assert.equal(s.parsed.inputs.query[1], Math.fround(1.234));
  assert.deepEqual(compareStages(s.stages, attention.forward(c), { rtol: 0, atol: 0 }), []);
  assert.equal(changes.length, 1);
  assert.deepEqual([changes[0].values, changes[0].structure], [true, false]);
  /* every shape and option change: the core's stages for the case the edit describes */
  const edits = [
    [{ type: 'option', key: 'num_heads', value: 2 }, (x) => Cases.withHeads(x, 2)],
    [{ type: 'option', key: 'attn_mask', value: 'causal' }, (x) => Cases.withMaskMode(x, 'causal')],
    [{ type: 'option', key: 'add_zero_attn', value: true }, (x) => ({ ...x, add_zero_attn: true })],
    [{ type: 'option', key: 'bias', value: false }, (x) => Cases.withFlag(x, 'bias', false)],
    [{ type: 'option', key: 'key_padding_mask', value: true }, (x) => Cases.withPadding(x, true)],
    [{ type: 'cell', key: 'key_padding_mask', index: 2, value: true }, (x) => ({ ...x, key_padding_mask: [false, false, true] })],
    [{ type: 'token', index: 1, name: 'was' }, (x) => ({ ...x, tokens: ['I', 'was', 'good'] })],
  ];
  let expected = copy(s.case);
  for (const [edit, make] of edits) {
    expected = make(expected);
    assert.deepEqual(s.apply(edit), { ok: true }, JSON.stringify(edit));
    assert.deepEqual(s.case, expected, JSON.stringify(edit));
    assert.deepEqual(compareStages(s.stages, attention.forward(expected), { rtol: 0, atol: 0 }), [], JSON.stringify(edit));
  }
});

test('the session names the example a case still is: an edit makes it the user’s own, numbers and tokens put back make it the example again', () => {
  const s = new Session({ attention, state: lecture() });
  assert.equal(s.example, 'lecture');
  const cell = (key, index, value) => assert.deepEqual(s.apply({ type: 'cell', key, index, value }), { ok: true });
  cell('query', 0, 1e4); /* (typing 1e40: 1e4 on the way, then the value from before the edit, as float32) */
  assert.equal(s.example, null);
  cell('query', 0, Math.fround(0.2));
  assert.equal(s.example, 'lecture', 'the number put back, as the float32 the cell showed');
  cell('query', 0, 0.5);
  cell('in_proj_weight', 3, 7);
  cell('query', 0, 0.2);
  assert.equal(s.example, null, 'one number still differs');
  cell('in_proj_weight', 3, Cases.lectureCase().in_proj_weight[1][1]);
  assert.equal(s.example, 'lecture');
  assert.deepEqual(s.apply({ type: 'token', index: 1, name: 'was' }), { ok: true });
  assert.equal(s.example, null, 'a renamed token');
  assert.deepEqual(s.apply({ type: 'token', index: 1, name: 'am' }), { ok: true });
  assert.equal(s.example, 'lecture');
  assert.deepEqual(s.apply({ type: 'inputs', values: { query: s.parsed.inputs.query.slice() } }), { ok: true });
  assert.equal(s.example, null, 'inputs set whole are not followed');
  cell('query', 1, 0.9);
  assert.equal(s.example, null);
  assert.deepEqual(s.apply({ type: 'example', name: 'lecture' }), { ok: true });
  assert.equal(s.example, 'lecture');
  cell('query', 1, 0.3);
  assert.equal(s.example, null);
  assert.ok(s.undo());
  assert.equal(s.example, 'lecture', 'undo gives the example back');
});

test('the session\'s history: a cell edit keeps only the number it replaced, and undo and redo give back every case', () => {
  const s = new Session({ attention, state: lecture() });
  const cases = [copy(s.case)];
  const step = (edit) => { assert.deepEqual(s.apply(edit), { ok: true }, JSON.stringify(edit)); cases.push(copy(s.case)); };
  step({ type: 'cell', key: 'query', index: 1, value: 1.5 });
  step({ type: 'cell', key: 'in_proj_weight', index: 7, value: -2 });
  /* a run of one cell's edits is one entry */
  s.apply({ type: 'cell', key: 'query', index: 4, value: 0.25, group: 'g1' });
  step({ type: 'cell', key: 'query', index: 4, value: 0.5, group: 'g1' });
  /* a run that goes on with another cell, then a structure change, then cells again */
  s.apply({ type: 'cell', key: 'query', index: 0, value: 3, group: 'g2' });
  step({ type: 'cell', key: 'query', index: 2, value: 4, group: 'g2' });
  step({ type: 'option', key: 'num_heads', value: 2 });
  step({ type: 'cell', key: 'out_proj.bias', index: 0, value: 9 });
  step({ type: 'cell', key: 'query', index: 5, value: -1 });
  assert.equal(s.entries.filter((e) => e.case && e.case.cell).length, 5, 'cell edits keep one number (the run of two cells is a whole copy)');
  for (let i = cases.length - 2; i >= 0; i--) {
    assert.equal(s.undo(), true);
    assert.deepEqual(s.case, cases[i], `undo to ${i}`);
    assert.deepEqual(compareStages(s.stages, attention.forward(cases[i]), { rtol: 0, atol: 0 }), []);
  }
  for (let i = 1; i < cases.length; i++) {
    assert.equal(s.redo(), true);
    assert.deepEqual(s.case, cases[i], `redo to ${i}`);
  }
  assert.equal(s.goTo(2), true);
  assert.deepEqual(s.case, cases[2]);
  assert.deepEqual(s.entriesBetween(s.entries[0].id).map((e) => e.state.case), [cases[1]]);
});

test('the session: an edit that cannot be shown changes nothing, and says what is wrong', () => {
  const s = new Session({ attention, state: lecture() });
  s.apply({ type: 'cell', key: 'query', index: 0, value: 0.5 });
  const before = { case: copy(s.case), stages: attention.forward(copy(s.case)), position: s.position, entries: s.entries.length };
  let told = 0;
  s.subscribe(() => told++);
  const bad = [
    [{ type: 'option', key: 'num_heads', value: 3 }, 'num_heads', /not divisible by num_heads 3/],
    [{ type: 'option', key: 'embed_dim', value: 1025 }, 'embed_dim', /up to 1024/],
    [{ type: 'option', key: 'embed_dim', value: 0 }, 'embed_dim', /a whole number from 1/],
    [{ type: 'cell', key: 'query', index: 0, value: 1e40 }, 'query', /beyond float32's range/],
    [{ type: 'cell', key: 'query', index: 6, value: 1 }, 'query', /no cell 6/],
    [{ type: 'cell', key: 'nope', index: 0, value: 1 }, 'nope', /not an input/],
    [{ type: 'token', index: 0, name: '   ' }, 'tokens', /needs a name/],
    [{ type: 'remove-token', index: 0, history: true }, null, null],
    [{ type: 'example', name: 'nope' }, 'example', /no example/],
    [{ type: 'view', step: 99 }, 'step', /step: expected 1 to 8/],
    [{ type: 'view', stage: 'nope' }, 'stage', /no stage “nope”/],
    [{ type: 'state', state: { case: { ...Cases.lectureCase(), num_heads: 7 }, view: {} } }, 'num_heads', /not divisible/],
  ];
  for (const [edit, key, message] of bad) {
    if (edit.type === 'remove-token') continue; /* (a valid edit: kept out of this table) */
    const result = s.apply(edit);
    assert.equal(result.ok, false, JSON.stringify(edit));
    assert.equal(result.error.key, key, JSON.stringify(edit));
    assert.match(result.error.message, message);
    assert.deepEqual(s.case, before.case, `${JSON.stringify(edit)}: the case is as it was`);
    assert.deepEqual(compareStages(s.stages, before.stages, { rtol: 0, atol: 0 }), [], 'the stages are as they were');
    assert.deepEqual([s.position, s.entries.length], [before.position, before.entries], 'no history entry');
  }
  assert.equal(told, 0, 'no view was told of a change');
  /* the core refusing the configuration (past its limits): the last good state stays, in the core too */
  const forward = attention.forward.bind(attention);
  const failing = Object.create(attention, { forward: { value: (c, options) => { if (c && c.config.embed_dim === 4) { const e = new Error('past a limit'); e.name = 'CoreError'; throw e; } return forward(c, options); } } });
  const t = new Session({ attention: failing, state: lecture() });
  const result = t.apply({ type: 'option', key: 'embed_dim', value: 4 });
  assert.equal(result.ok, false);
  assert.equal(t.config.embed_dim, 2);
  assert.deepEqual(t.apply({ type: 'cell', key: 'query', index: 0, value: 0.75 }), { ok: true });
  const c = Cases.lectureCase();
  c.query[0][0] = 0.75;
  assert.deepEqual(compareStages(t.stages, attention.forward(c), { rtol: 0, atol: 0 }), [], 'edits go on from the last good state');
});

test('the session refuses an edit made while it tells its subscribers of another (a field the change rebuilt, blurred): every subscriber sees that change alone', () => {
  const s = new Session({ attention, state: lecture() });
  s.apply({ type: 'example', name: 'paragraph' });
  const entries = s.entries.length;
  const nested = [], seen = [];
  s.subscribe(() => nested.push(s.apply({ type: 'cell', key: 'query', index: 0, value: 9.5 }))); /* as a canvas's input, removed, commits */
  s.subscribe((change) => seen.push([change.edit.type, s.case.query[0][0]]));
  assert.deepEqual(s.apply({ type: 'example', name: 'lecture' }), { ok: true });
  assert.equal(nested.length, 1);
  assert.equal(nested[0].ok, false);
  assert.match(nested[0].error.message, /while the page shows another/);
  assert.deepEqual(seen, [['example', 0.2]], 'the next subscriber is told of the example alone');
  assert.deepEqual(s.case, Cases.lectureCase());
  assert.deepEqual(compareStages(s.stages, attention.forward(Cases.lectureCase()), { rtol: 0, atol: 0 }), []);
  assert.equal(s.entries.length, entries + 1, 'one history entry');
  assert.deepEqual(s.apply({ type: 'cell', key: 'query', index: 1, value: 0.5 }), { ok: true }, 'the next edit is used');
  assert.deepEqual([s.case.query[0][0], s.case.query[0][1]], [0.2, 0.5], '(and the subscriber\'s, told of it, refused)');
});

test('the session: a cell edit writes one number into a core that holds its case, and the whole case into one that does not', () => {
  const s = new Session({ attention, state: lecture() });
  const calls = [];
  const spy = Object.create(attention, {
    set: { value: (...args) => { calls.push(['set', ...args]); return attention.set(...args); } },
    forward: { value: (c, options) => { calls.push(['forward', c === null ? null : 'case', options?.copy ?? true]); return attention.forward(c, options); } },
  });
  s.attention = spy;
  assert.ok(attention.holds(s.parsed));
  s.apply({ type: 'cell', key: 'in_proj_weight', index: 3, value: -0.625 });
  assert.deepEqual(calls, [['set', 'in_proj_weight', 3, -0.625], ['forward', null, false]], 'one number in, the stages as views');
  const c = Cases.lectureCase();
  c.in_proj_weight[1][1] = -0.625;
  const want = attention.forward(Cases.copy(c)); /* another case in the core (the same numbers, another object) */
  assert.equal(attention.holds(s.parsed), false);
  calls.length = 0;
  s.apply({ type: 'cell', key: 'query', index: 0, value: 0.75 });
  assert.deepEqual(calls, [['forward', 'case', false]], 'the whole case, then it holds it again');
  assert.ok(attention.holds(s.parsed));
  c.query[0][0] = 0.75;
  assert.deepEqual(compareStages(s.stages, attention.forward(c), { rtol: 0, atol: 0 }), []);
  assert.notDeepEqual(compareStages(want, attention.forward(c), { rtol: 0, atol: 0 }), []);
  calls.length = 0;
  s.apply({ type: 'token', index: 0, name: 'You' });
  assert.deepEqual(calls, [], 'a token is a label: no pass');
});

test('the session’s history: one entry per edit, one per group (a drag, a held key, one cell’s typing); undo and redo restore exactly', () => {
  const s = new Session({ attention, state: lecture() });
  const states = [copy(s.case)];
  for (const value of [0.5, 0.55, 0.555]) s.apply({ type: 'cell', key: 'query', index: 0, value, group: 'typing' });
  states.push(copy(s.case));
  s.apply({ type: 'option', key: 'attn_mask', value: 'causal' });
  states.push(copy(s.case));
  for (let dx = 1; dx <= 30; dx++) s.apply({ type: 'cell', key: 'in_proj_weight', index: 3, value: 1.5 + dx / 100, group: 'drag' });
  states.push(copy(s.case));
  s.apply({ type: 'add-token' });
  states.push(copy(s.case));
  assert.equal(s.entries.length, states.length);
  /* what a history written late has not recorded: the entries between, with their cases */
  assert.deepEqual(s.entriesBetween(s.entries[0].id).map((e) => e.state.case), states.slice(1, -1));
  assert.deepEqual(s.entriesBetween(s.entryId), []);
  for (let i = states.length - 2; i >= 0; i--) {
    assert.equal(s.undo(), true);
    assert.deepEqual(s.case, states[i], `undo to ${i}`);
    assert.deepEqual(compareStages(s.stages, attention.forward(states[i]), { rtol: 0, atol: 0 }), []);
  }
  assert.equal(s.undo(), false, 'nothing before the first');
  for (let i = 1; i < states.length; i++) {
    assert.equal(s.redo(), true);
    assert.deepEqual(s.case, states[i], `redo to ${i}`);
  }
  /* an edit after undo drops what was undone; a group does not go on across a jump */
  s.undo();
  s.apply({ type: 'cell', key: 'query', index: 0, value: 9, group: 'drag' });
  assert.equal(s.canRedo, false);
  assert.equal(s.entries.length, states.length);
  /* the entry ids of a trimmed history still find their entries */
  const t = new Session({ attention, state: lecture() });
  for (let i = 0; i < 250; i++) t.apply({ type: 'cell', key: 'query', index: 0, value: i });
  assert.equal(t.entries.length, 200);
  const id = t.entries[10].id;
  assert.equal(t.goToEntry(id), true);
  assert.equal(t.case.query[0][0], 60);
});

test('the catalogue: sections numbered 1 to N in the formula’s order, shapes as the core gives them', () => {
  for (const f of fixtures) {
    const s = new Session({ attention, state: { case: f.case, view: {} } });
    const sections = s.sections();
    assert.deepEqual(sections.map((x) => x.number), sections.map((_, i) => i + 1));
    const shapes = { ...attention.inputShapes(), ...attention.stageShapes() };
    for (const card of Catalogue.matrixCards(sections)) assert.deepEqual(card.shape, shapes[card.stage], `${f.name}: ${card.stage}`);
    const order = Catalogue.matrixCards(sections).map((c) => c.stage).filter((n) => attention.stageNames.includes(n));
    assert.deepEqual(order, attention.stageNames, `${f.name}: the stages in the order the core computes them`);
  }
});

/* ---- the classic scripts ---- */

const SCRIPTS = [...readFileSync(join(ROOT, 'index.html'), 'utf8').matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);

test('every script declares what it needs, and index.html loads each after what it needs', () => {
  /* what make's generated scripts define, once index.html has loaded them */
  const BUILT = { 'build/attn-wasm.js': 'AttnWasm', 'build/attn-examples.js': 'AttnExamples' };
  const provided = new Map();
  const all = [...SCRIPTS, 'web/widget.js'];
  for (const path of all) {
    if (path.startsWith('build/')) {
      assert.ok(BUILT[path], `${path}: a generated script this test knows`);
      provided.set(BUILT[path], path);
      continue;
    }
    const text = readFileSync(join(ROOT, path), 'utf8');
    const needs = /\* needs: ([^*]*)\*\//.exec(text);
    assert.ok(needs, `${path}: a "needs:" line in its header`);
    const declared = needs[1].trim() === '(nothing)' ? [] : needs[1].split(',').map((x) => x.trim());
    const used = new Set([...text.matchAll(/\b(?:root|window)\.(Attn[A-Za-z]+)\b|\b(Attn[A-Z][A-Za-z]+)\.[a-z]/g)].map((m) => m[1] || m[2]));
    const own = [...text.matchAll(/root\.(Attn[A-Za-z]+) = /g)].map((m) => m[1]);
    for (const name of own) used.delete(name);
    used.delete('AttnStyles'); /* the widget's stylesheet, put there by build-dist.mjs */
    for (const name of used) assert.ok(declared.includes(name), `${path} uses ${name} without declaring it`);
    for (const name of declared) if (name !== 'AttnStyles') assert.ok(provided.has(name) || path === 'web/widget.js' && SCRIPTS.some((p) => provided.get(name) === p), `${path} needs ${name}, which no script before it in index.html provides`);
    for (const name of own) provided.set(name, path);
  }
  /* and every file of web/page is loaded */
  const files = ['model', 'ui', 'text'].flatMap((dir) => readdirSync(join(ROOT, 'web/page', dir)).map((f) => `web/page/${dir}/${f}`));
  for (const file of files) assert.ok(SCRIPTS.includes(file), `${file} is loaded by index.html`);
});

test('the model modules are pure: they load in Node with no DOM, and touch none', () => {
  for (const path of SCRIPTS.filter((p) => p.startsWith('web/page/model/'))) {
    const text = readFileSync(join(ROOT, path), 'utf8');
    assert.doesNotMatch(text, /\bdocument\b|\bwindow\b|addEventListener|HTMLElement/, `${path} uses the DOM`);
  }
});
