/* dom.js: the few DOM helpers every view uses: making elements, a token's
 * label isolated for direction and shortened, placing a panel next to what
 * it belongs to, inside the viewport and the view, and writing `hidden`, a
 * text or an attribute only when it changes, a field marked invalid, and
 * work put off until the browser is idle.
 *
 * A classic script: the global AttnDom.
 * needs: (nothing) */
(function (root) {
  'use strict';

  const SVG_NS = 'http://www.w3.org/2000/svg';

  /* An element with attributes (text, className, or any attribute; false,
   * null and undefined are left out) and children. */
  function el(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }

  function svg(tag, attributes = {}, children = []) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  }

  /* A token's label: isolated for direction (<bdi dir="auto">, so that a
   * right-to-left name neither reorders nor is reordered by what is around
   * it), shortened past `max` characters with the whole name in its title. */
  const LABEL_MAX = 12;
  function label(text, max = LABEL_MAX) {
    const chars = [...text];
    const shortened = chars.length > max;
    const bdi = el('bdi', { dir: 'auto', text: shortened ? chars.slice(0, max - 1).join('') + '…' : text, title: shortened ? text : null });
    if (shortened) bdi.dataset.full = text;
    return bdi;
  }

  /* The box panels must stay inside: the viewport, and the view's root
   * element when it is narrower (a widget in a column). */
  function bounds(viewRoot) {
    const viewport = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
    const box = viewRoot.getBoundingClientRect();
    return { left: Math.max(viewport.left, box.left), right: Math.min(viewport.right, box.right), top: viewport.top, bottom: viewport.bottom };
  }

  /* Places `panel` (position: fixed) next to `anchor` (a rect in viewport
   * coordinates): below it when there is room, else above; its left edge at
   * the anchor's, moved left as far as needed to stay inside; as wide as it
   * wants but no wider than the room. margin: px kept free at the edges.
   * avoid: a rect the panel should not cover (another panel): the other
   * side of the anchor when the chosen one covers it and that one does not. */
  function place(panel, anchor, viewRoot, { margin = 6, gap = 6, avoid = null } = {}) {
    const room = bounds(viewRoot);
    panel.style.maxWidth = `${Math.max(120, room.right - room.left - 2 * margin)}px`;
    panel.style.left = '0px';
    panel.style.top = '0px';
    const { width, height } = panel.getBoundingClientRect();
    const left = Math.max(room.left + margin, Math.min(anchor.left, room.right - margin - width));
    const below = anchor.bottom + gap, above = anchor.top - gap - height;
    const fitsBelow = below + height <= room.bottom - margin, fitsAbove = above >= room.top + margin;
    const covers = (top) => Boolean(avoid) && left < avoid.right && avoid.left < left + width && top < avoid.bottom && avoid.top < top + height;
    let side = fitsBelow || !fitsAbove ? 'below' : 'above';
    if (covers(side === 'below' ? below : above)) {
      const other = side === 'below' ? 'above' : 'below';
      if ((other === 'above' ? fitsAbove : fitsBelow) && !covers(other === 'above' ? above : below)) side = other;
    }
    const top = side === 'above' ? above : Math.min(below, Math.max(room.top + margin, room.bottom - margin - height));
    panel.style.left = `${Math.round(left)}px`;
    panel.style.top = `${Math.round(top)}px`;
    panel.dataset.side = side === 'below' && fitsBelow ? 'below' : 'above';
  }

  /* Writes that views repeat at every update: they touch the DOM only on a
   * change (even an equal write makes the browser restyle, and text lay out
   * again, every frame of a drag). */
  function setHidden(node, hidden) {
    if (node.hidden !== hidden) node.hidden = hidden;
  }
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }
  function setAttr(node, name, value) {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }

  /* f(deadline) once the browser is idle (between frames, within 500 ms);
   * where there is no requestIdleCallback, soon after this task (no deadline). */
  function whenIdle(f) {
    return typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 500 }) : setTimeout(f, 50);
  }

  /* A field's mark of a refused value: aria-invalid, and aria-describedby
   * naming its message (an element with an id); or neither (message null). */
  function markInvalid(input, message) {
    if (message) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', message.id); }
    else { input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby'); }
  }

  /* Whether the reader asked for less motion (prefers-reduced-motion): a scroll jumps, the player shows every frame. */
  const reducedMotion = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

  root.AttnDom = { el, svg, label, LABEL_MAX, place, bounds, setHidden, setText, setAttr, markInvalid, whenIdle, reducedMotion };
})(typeof globalThis !== 'undefined' ? globalThis : this);
