import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { DomFactory } from '../src/dom.js';
import { createH, isSafeUrl } from '../src/dom.js';

/** Just enough of a DOM to see what h() does: text nodes, attributes, listeners. */
class FakeNode {
  readonly attributes = new Map<string, string>();
  readonly children: FakeNode[] = [];
  readonly listeners: string[] = [];
  constructor(
    readonly tag: string,
    readonly text?: string,
  ) {}
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  addEventListener(type: string): void {
    this.listeners.push(type);
  }
  append(...nodes: FakeNode[]): void {
    this.children.push(...nodes);
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeNode(tag),
  createTextNode: (text: string) => new FakeNode('#text', text),
} as unknown as DomFactory;
const h = createH(fakeDocument);

test('children that are strings become text nodes, markup and all', () => {
  const element = h('p', null, '<img src=x onerror=alert(1)>', 42, null, false, ['a', 'b']) as unknown as FakeNode;
  assert.deepEqual(
    element.children.map((child) => [child.tag, child.text]),
    [
      ['#text', '<img src=x onerror=alert(1)>'],
      ['#text', '42'],
      ['#text', 'a'],
      ['#text', 'b'],
    ],
  );
});

test('attributes go through setAttribute; booleans are present or absent', () => {
  const element = h('input', { id: 'x', value: '"><script>', disabled: true, checked: false, title: undefined }) as unknown as FakeNode;
  assert.deepEqual([...element.attributes], [
    ['id', 'x'],
    ['value', '"><script>'],
    ['disabled', ''],
  ]);
});

test('event handlers are listeners, never attributes; string handlers and style are refused', () => {
  const element = h('button', { onclick: () => undefined }) as unknown as FakeNode;
  assert.deepEqual(element.listeners, ['click']);
  assert.equal(element.attributes.size, 0);
  assert.throws(() => h('a', { onclick: 'alert(1)' }), /not allowed/);
  assert.throws(() => h('a', { style: 'color:red' }), /not allowed/);
  assert.throws(() => h('a', { 'x"y': '1' }), /not allowed/);
});

test('links only to our routes, paths and http(s)', () => {
  for (const href of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', '//evil.example/', 'vbscript:x']) {
    assert.equal(isSafeUrl(href), false, href);
    assert.equal((h('a', { href }) as unknown as FakeNode).attributes.has('href'), false, href);
  }
  for (const href of ['#/apps', '/assets/style.css', 'http://demo.localhost:8080/', 'https://example.com']) {
    assert.equal((h('a', { href }) as unknown as FakeNode).attributes.get('href'), href);
  }
});
