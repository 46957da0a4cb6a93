// Unit tests of the cards' formatting and colour rules (node's built-in test runner: `npm test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usd, num, spreadClass, signClass, statusClass, clock, heatColor } from '../src/format.js';

test('usd uses K, M and B suffixes and a dash for missing values', () => {
  assert.equal(usd(17_769_764_995.31), '$17.77B'); // 17.769… × 10⁹ → 17.77B
  assert.equal(usd(19_537_859.3), '$19.54M');
  assert.equal(usd(5_419.7), '$5.4K');
  assert.equal(usd(999), '$999');
  assert.equal(usd(-2_500_000), '-$2.50M');
  assert.equal(usd(null), '–');
  assert.equal(usd(Number.NaN), '–');
});

test('spread is green below 5 bps, yellow from 5 to 10, red above 10', () => {
  assert.equal(spreadClass(4.99), 'green');
  assert.equal(spreadClass(5), 'yellow');
  assert.equal(spreadClass(10), 'yellow');
  assert.equal(spreadClass(10.01), 'red');
  assert.equal(spreadClass(null), '');
});

test('funding and basis are green when positive and red when negative', () => {
  assert.equal(signClass(16.7), 'green');
  assert.equal(signClass(-16.7), 'red');
  assert.equal(signClass(0), '');
  assert.equal(signClass(undefined), '');
});

test('guard status colours', () => {
  assert.equal(statusClass('passing'), 'green');
  assert.equal(statusClass('warning'), 'yellow');
  assert.equal(statusClass('breach'), 'red');
});

test('num keeps the decimals asked and dashes non-numbers', () => {
  assert.equal(num(0.0108516, 2, ' bps'), '0.01 bps');
  assert.equal(num(-3.3271, 2, ' bps'), '-3.33 bps');
  assert.equal(num(null, 2), '–');
});

test('clock is the UTC time of day of microseconds', () => {
  // 1796083200000000 µs = 2026-12-01T00:00:00Z; + 3723 s = 01:02:03.
  assert.equal(clock(1796083200000000 + 3723e6), '01:02:03');
});

test('heat colour runs from dark blue (low) to yellow (high) and clamps', () => {
  assert.equal(heatColor(0), 'rgb(20,30,70)');
  assert.equal(heatColor(1), 'rgb(250,230,80)');
  assert.equal(heatColor(-1), heatColor(0));
  assert.equal(heatColor(2), heatColor(1));
});
