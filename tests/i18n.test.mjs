// i18n.test.mjs: the words' tables (web/page/text/): every language has
// every key of English and no other, each template with the same
// {placeholders}; and the lookup fills them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Text = require('../web/page/text/text.js');
const placeholders = (template) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

for (const lang of Text.LANGUAGES.filter((l) => l !== 'en')) {
  test(`${lang}: every key of en, no other, each with en's placeholders`, () => {
    const en = Text.TABLES.en, other = Text.TABLES[lang];
    assert.deepEqual(Object.keys(other).filter((k) => !(k in en)), [], `keys ${lang} has and en has not`);
    assert.deepEqual(Object.keys(en).filter((k) => !(k in other)), [], `keys en has and ${lang} has not`);
    for (const key of Object.keys(en)) {
      assert.equal(typeof other[key], 'string', key);
      assert.ok(other[key].trim(), `${lang} ${key} is empty`);
      assert.deepEqual(placeholders(other[key]), placeholders(en[key]), `${lang} ${key}: the placeholders`);
    }
  });
}

test('t fills placeholders, falls back to English, and pick chooses a language the page has', () => {
  assert.equal(Text.t('es', 'walk.count', { step: 2, steps: 8 }), 'Paso 2 de 8');
  assert.equal(Text.t('en', 'walk.count', { step: 2, steps: 8 }), 'Step 2 of 8');
  assert.equal(Text.t('fr', 'walk.next'), 'Next →');
  assert.equal(Text.pick('es-MX'), 'es');
  assert.equal(Text.pick('ES'), 'es');
  assert.equal(Text.pick('fr'), 'en');
  assert.equal(Text.pick(''), 'en');
  const cite = { text: '0.5', cite: [] };
  assert.deepEqual(Text.parts('es', 'l.sm.to', { w: cite, token: '“I”' }), [cite, ' a ', '“I”']);
  assert.throws(() => Text.t('en', 'no.such.key'), /no key/);
});
