// Number formatting and colour rules of the telemetry cards (docs/web.md).

/** USD with K/M/B suffixes: 1.23B, 45.6M, 7.8K; "–" when not a finite number. */
export function usd(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const a = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  if (a >= 1e9) return `${sign}$${(a / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${sign}$${(a / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${sign}$${(a / 1e3).toFixed(1)}K`;
  return `${sign}$${a.toFixed(0)}`;
}

/** A number with fixed decimals and a unit, or "–". */
export function num(value, decimals, unit = '') {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return value.toFixed(decimals) + unit;
}

/** Spread colour: green below 5 bps, yellow 5–10, red above 10. */
export function spreadClass(bps) {
  if (typeof bps !== 'number' || !Number.isFinite(bps)) return '';
  if (bps < 5) return 'green';
  if (bps <= 10) return 'yellow';
  return 'red';
}

/** Sign colour: green positive, red negative. */
export function signClass(value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value === 0) return '';
  return value > 0 ? 'green' : 'red';
}

/** Guard status colour. */
export function statusClass(status) {
  return status === 'passing' ? 'green' : status === 'warning' ? 'yellow' : status === 'breach' ? 'red' : '';
}

/** UTC time of day hh:mm:ss from microseconds. */
export function clock(micros) {
  return new Date(micros / 1000).toISOString().slice(11, 19);
}

/** Heatmap colour for t in [0, 1]: dark blue → purple → orange → yellow. */
export function heatColor(t) {
  const stops = [[20, 30, 70], [120, 40, 140], [230, 110, 30], [250, 230, 80]];
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
