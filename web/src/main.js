// Barometer web telemetry dashboard: HTTP API for history and first values, the broadcast WebSocket for live updates.
import { createChart, CandlestickSeries, LineSeries, AreaSeries } from 'lightweight-charts';
import { usd, num, spreadClass, signClass, statusClass, clock, heatColor } from './format.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const apiKey = params.get('api_key');
const HEAT_PRICE_BINS = 40;
const HEAT_TIME_BINS = 60;
const TAPE_MAX = 60;

/** Measurements read by the end-to-end test (docs/web.md): never asserted on, only reported. */
const metrics = {
  firstMeaningfulPaintMs: null, updates: 0, lastUpdateMs: null, maxUpdateMs: 0, liveLiquidations: 0, snapshots: 0,
  liquidationLatencyMs: [], series: { candles: 0, cvd: 0, oi: 0, funding: 0 },
};
window.__barometer = metrics;
/** The page position of the centre of the heatmap's largest cell (for the tooltip test), or null. */
metrics.largestCell = () => {
  const map = state.heat;
  if (!map || map.cells.size === 0) return null;
  let best = null;
  for (const c of map.cells.values()) if (best === null || c.notional_usd > best.notional_usd) best = c;
  const rect = $('heatmap').getBoundingClientRect();
  return { x: rect.left + ((best.time_bin + 0.5) / map.time_bins) * rect.width, y: rect.top + (1 - (best.price_bin + 0.5) / map.price_bins) * rect.height, count: best.count };
};

const state = { config: null, asset: null, ws: null, wsUp: false, httpUp: true, heat: null, reference: null, candles: null, backoff: 500 };

async function api(path) {
  const headers = apiKey ? { 'X-Api-Key': apiKey } : {};
  let response;
  try {
    response = await fetch(path, { headers, cache: 'no-store' });
  } catch (error) {
    setHttp(false);
    throw error;
  }
  setHttp(true);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function setHttp(up) {
  state.httpUp = up;
  showConnection();
}

function showConnection() {
  const up = state.wsUp && state.httpUp;
  $('offline').hidden = up || state.ws === null;
  const conn = $('conn');
  conn.textContent = up ? 'live' : 'reconnecting…';
  conn.className = up ? 'conn up' : 'conn';
}

// ---------------------------------------------------------------- charts

const chartOptions = {
  autoSize: true,
  layout: { background: { color: '#171e2d' }, textColor: '#8491a7', panes: { separatorColor: '#2a3550' } },
  grid: { vertLines: { color: '#1f2738' }, horzLines: { color: '#1f2738' } },
  timeScale: { timeVisible: true, secondsVisible: false },
};
const priceChart = createChart($('chart-price'), chartOptions);
const candles = priceChart.addSeries(CandlestickSeries, { upColor: '#26a269', downColor: '#e01b24', wickUpColor: '#26a269', wickDownColor: '#e01b24', borderVisible: false });
const cvd = priceChart.addSeries(LineSeries, { color: '#62a0ea', lineWidth: 2, priceFormat: { type: 'custom', formatter: usd } }, 1);
const oiChart = createChart($('chart-oi'), chartOptions);
const oiSeries = oiChart.addSeries(AreaSeries, { lineColor: '#62a0ea', topColor: 'rgba(98,160,234,0.4)', bottomColor: 'rgba(98,160,234,0.02)', priceFormat: { type: 'custom', formatter: usd } });
const fundingChart = createChart($('chart-funding'), chartOptions);
const fundingSeries = fundingChart.addSeries(LineSeries, { color: '#26a269', lineWidth: 2, priceFormat: { type: 'custom', formatter: (v) => num(v, 2, '%') } });
const series = { oi: [], funding: [] };

const seconds = (micros) => Math.floor(micros / 1e6);

/** Sets or replaces the point of one time in a sorted series. */
function upsert(points, time, value) {
  if (points.length > 0 && points[points.length - 1].time === time) points[points.length - 1].value = value;
  else if (points.length === 0 || points[points.length - 1].time < time) points.push({ time, value });
}

function aprOf(rate8h) {
  return typeof rate8h === 'number' ? rate8h * 3 * 365 * 100 : null;
}

function fundingColors(points) {
  return points.map((p) => ({ time: p.time, value: p.value, color: p.value >= 0 ? '#26a269' : '#e01b24' }));
}

function drawSparkline() {
  const canvas = $('funding-spark');
  const ctx = canvas.getContext('2d');
  const points = series.funding;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  canvas.dataset.points = String(points.length);
  if (points.length === 0) return;
  let lo = Math.min(0, ...points.map((p) => p.value));
  let hi = Math.max(0, ...points.map((p) => p.value));
  if (hi === lo) hi = lo + 1;
  const y = (v) => canvas.height - 2 - ((v - lo) / (hi - lo)) * (canvas.height - 4);
  const x = (i) => (points.length === 1 ? canvas.width - 2 : 2 + (i / (points.length - 1)) * (canvas.width - 4));
  ctx.strokeStyle = '#444c5e';
  ctx.beginPath(); ctx.moveTo(0, y(0)); ctx.lineTo(canvas.width, y(0)); ctx.stroke();
  ctx.lineWidth = 1.5;
  for (let i = 0; i < points.length; i++) {
    ctx.strokeStyle = points[i].value >= 0 ? '#26a269' : '#e01b24';
    ctx.beginPath();
    ctx.moveTo(x(Math.max(0, i - 1)), y(points[Math.max(0, i - 1)].value));
    ctx.lineTo(x(i), y(points[i].value));
    ctx.stroke();
    if (points.length === 1) { ctx.fillStyle = ctx.strokeStyle; ctx.fillRect(x(i) - 2, y(points[i].value) - 2, 4, 4); }
  }
}

// ---------------------------------------------------------------- cards

function setText(id, text, cls) {
  const el = $(id);
  el.textContent = text;
  if (cls !== undefined) el.className = cls;
}

function renderGuard(guard) {
  if (!guard) return;
  state.reference = guard.instrument;
  $('price-instrument').textContent = guard.instrument ?? '';
  setText('v-spread', num(guard.spread_bps, 2, ' bps'), 'value ' + spreadClass(guard.spread_bps));
  $('s-spread').textContent = guard.instrument ?? '';
  setText('v-depth-bid', usd(guard.depth_10bps_bid_usd));
  setText('v-depth-ask', usd(guard.depth_10bps_ask_usd));
  setText('v-funding', num(guard.funding_apr, 2, '%'), 'value ' + signClass(guard.funding_apr));
  setText('v-basis-spot', num(guard.basis_bps, 2, ' bps'), signClass(guard.basis_bps));
  setText('v-oi', usd(guard.oi_notional_usd));
  setText('v-liq', typeof guard.liq_events_5m === 'number' ? (guard.liq_events_lower_bound ? '≥ ' : '') + guard.liq_events_5m : '–');
  setText('v-guard', guard.status ?? '–', 'value ' + statusClass(guard.status));
  const reasons = $('s-guard');
  reasons.replaceChildren(...(guard.reasons ?? []).map((r) => Object.assign(document.createElement('li'), { textContent: r })));
}

function renderSnapshot(snapshot) {
  const asset = state.asset;
  const guard = snapshot.guards?.assets?.find((g) => g.asset === asset);
  renderGuard(guard);
  const derivatives = snapshot.derivatives ?? {};
  const margin = (derivatives.margin_basis ?? []).find((m) => m.asset === asset && typeof m.basis_bps === 'number');
  setText('v-basis-margin', margin ? `${num(margin.basis_bps, 2, ' bps')} (${margin.venue})` : '–', margin ? signClass(margin.basis_bps) : '');
  const oiTotal = (derivatives.open_interest_totals ?? []).find((t) => t.asset === asset);
  $('s-oi').textContent = oiTotal ? `${oiTotal.usd_markets} of ${oiTotal.markets} markets in USD` : '';
  const liq = snapshot.liquidations?.assets?.find((a) => a.asset === asset)?.five_minutes;
  $('s-liq').textContent = liq ? `${usd(liq.total_usd)} · long ${num(liq.long_percent, 0, '%')}` : '';
  const hour = Math.floor(snapshot.time / 3.6e9) * 3600;
  if (oiTotal && typeof oiTotal.usd === 'number') {
    upsert(series.oi, hour, oiTotal.usd);
    oiSeries.update({ time: hour, value: oiTotal.usd });
    metrics.series.oi = series.oi.length;
  }
  const funding = (derivatives.funding ?? []).find((f) => f.instrument === state.reference);
  if (funding && typeof funding.apr_percent === 'number') {
    upsert(series.funding, hour, funding.apr_percent);
    fundingSeries.setData(fundingColors(series.funding));
    metrics.series.funding = series.funding.length;
    drawSparkline();
  }
  const bar = snapshot.tape?.instruments?.find((t) => t.instrument === state.reference)?.current_bar;
  if (bar && state.candles !== null && typeof bar.open === 'number') {
    const time = seconds(bar.minute_start);
    const last = state.candles;
    if (last === undefined || time >= last) {
      candles.update({ time, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
      const added = last === undefined || time > last;
      if (typeof bar.cvd_usd === 'number') {
        cvd.update({ time, value: bar.cvd_usd });
        if (added) metrics.series.cvd += 1;
      }
      if (added) metrics.series.candles += 1;
      state.candles = time;
    }
  }
  renderWhales(snapshot.tape?.recent_whales ?? []);
}

// ---------------------------------------------------------------- tape

const tapeItems = new Map();

function addTape(key, time, html, cls) {
  if (tapeItems.has(key)) return;
  const li = document.createElement('li');
  li.className = cls;
  li.textContent = html;
  li.dataset.time = String(time);
  tapeItems.set(key, li);
  const list = $('tape');
  let before = null;
  for (const child of list.children) {
    if (Number(child.dataset.time) < time) { before = child; break; }
  }
  list.insertBefore(li, before);
  while (list.children.length > TAPE_MAX) {
    const old = list.lastElementChild;
    for (const [k, v] of tapeItems) if (v === old) tapeItems.delete(k);
    old.remove();
  }
}

function renderWhales(whales) {
  for (const w of whales) {
    if (w.asset !== state.asset) continue;
    addTape(`w:${w.instrument}:${w.time}:${w.price}:${w.quantity}`, w.time,
      `${clock(w.time)} WHALE ${w.side} ${usd(w.notional_usd)} @ ${w.price} ${w.instrument}`, w.side === 'buy' ? 'green' : 'red');
  }
}

function addLiquidationTape(l) {
  addTape(`l:${l.venue}:${l.symbol}:${l.time}:${l.price}:${l.quantity}`, l.time,
    `${clock(l.time)} LIQ ${l.side} ${usd(l.usd)} @ ${l.price} ${l.venue}`, 'liq');
}

// ---------------------------------------------------------------- heatmap

function drawHeatmap() {
  const canvas = $('heatmap');
  const rect = canvas.getBoundingClientRect();
  canvas.width = Math.max(1, Math.round(rect.width));
  canvas.height = Math.max(1, Math.round(rect.height));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#10151f';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const map = state.heat;
  canvas.dataset.cells = String(map ? map.cells.size : 0);
  if (!map || map.cells.size === 0) {
    $('heatmap-info').textContent = map ? 'no liquidations in the last hour' : '';
    return;
  }
  let max = 0;
  for (const c of map.cells.values()) max = Math.max(max, c.notional_usd);
  const w = canvas.width / map.time_bins;
  const h = canvas.height / map.price_bins;
  for (const c of map.cells.values()) {
    const t = max > 0 ? Math.log1p(c.notional_usd) / Math.log1p(max) : 1;
    ctx.fillStyle = heatColor(t);
    ctx.fillRect(c.time_bin * w, canvas.height - (c.price_bin + 1) * h, Math.max(1, w - 1), Math.max(1, h - 1));
  }
  $('heatmap-info').textContent = `${map.count} liquidations · ${usd(map.notional_usd)} · ${num(map.price_min, 2)}–${num(map.price_max, 2)}${map.sampled > 0 ? ' · lower bounds (sampled feeds)' : ''}`;
}

function setHeatmap(row) {
  if (!row) { state.heat = { cells: new Map(), time_bins: HEAT_TIME_BINS, price_bins: HEAT_PRICE_BINS, count: 0 }; drawHeatmap(); return; }
  const cells = new Map();
  for (const c of row.cells) cells.set(`${c.time_bin}:${c.price_bin}`, { ...c });
  state.heat = { ...row, cells };
  drawHeatmap();
}

/** A live liquidation goes into the cell it falls in (clamped to the map's range) until the next fetch replaces the map. */
function addLiveLiquidation(l) {
  const map = state.heat;
  if (!map || !map.time_bin_micros) return;
  const timeBin = Math.max(0, Math.min(map.time_bins - 1, Math.floor((l.time - map.from) / map.time_bin_micros)));
  const size = map.price_bin_size;
  const priceBin = size > 0 ? Math.max(0, Math.min(map.price_bins - 1, Math.floor((l.price - map.price_min) / size))) : 0;
  const key = `${timeBin}:${priceBin}`;
  const cell = map.cells.get(key) ?? { time_bin: timeBin, price_bin: priceBin, count: 0, notional_usd: 0, long_usd: 0, short_usd: 0 };
  cell.count += 1;
  if (typeof l.usd === 'number') {
    cell.notional_usd += l.usd;
    map.notional_usd = (map.notional_usd ?? 0) + l.usd;
    if (l.side === 'long') cell.long_usd += l.usd; else cell.short_usd += l.usd;
  }
  map.cells.set(key, cell);
  map.count = (map.count ?? 0) + 1;
  drawHeatmap();
}

$('heatmap').addEventListener('mousemove', (e) => {
  const map = state.heat;
  const tip = $('heat-tip');
  if (!map || map.cells.size === 0) { tip.hidden = true; return; }
  const rect = e.currentTarget.getBoundingClientRect();
  const timeBin = Math.floor(((e.clientX - rect.left) / rect.width) * map.time_bins);
  const priceBin = map.price_bins - 1 - Math.floor(((e.clientY - rect.top) / rect.height) * map.price_bins);
  const cell = map.cells.get(`${timeBin}:${priceBin}`);
  if (!cell) { tip.hidden = true; return; }
  const lo = map.price_min + priceBin * map.price_bin_size;
  const from = map.from + timeBin * map.time_bin_micros;
  tip.textContent = `${clock(from)} · ${num(lo, 2)}–${num(lo + map.price_bin_size, 2)} · ${cell.count} liquidations · ${usd(cell.notional_usd)}`;
  tip.style.left = `${e.clientX - rect.left + 12}px`;
  tip.style.top = `${e.clientY - rect.top + 12}px`;
  tip.hidden = false;
});
$('heatmap').addEventListener('mouseleave', () => { $('heat-tip').hidden = true; });

function drawScale() {
  const canvas = $('heat-scale');
  const ctx = canvas.getContext('2d');
  for (let x = 0; x < canvas.width; x++) { ctx.fillStyle = heatColor(x / (canvas.width - 1)); ctx.fillRect(x, 0, 1, canvas.height); }
}

// ---------------------------------------------------------------- loading

async function loadHistory(asset) {
  const guards = await api('/api/engine/guards');
  if (asset !== state.asset) return;
  renderGuard(guards.guards?.assets?.find((g) => g.asset === asset));
  if (metrics.firstMeaningfulPaintMs === null && $('v-spread').textContent !== '–') {
    metrics.firstMeaningfulPaintMs = performance.now();
  }
  const reference = state.reference;
  const tasks = [
    api(`/api/market/snapshot?instrument=${asset}`).then((s) => { if (asset === state.asset) renderSnapshot(s.snapshot); }).catch(() => {}),
    api(`/api/market/oi_history?hours=24&instrument=${asset}`).then((r) => {
      if (asset !== state.asset) return;
      series.oi = [];
      for (const row of r.rows) {
        const total = row.totals.find((t) => t.asset === asset);
        if (total && typeof total.notional_usd === 'number') upsert(series.oi, seconds(row.hour_start), total.notional_usd);
      }
      oiSeries.setData(series.oi.map((p) => ({ ...p })));
      metrics.series.oi = series.oi.length;
      oiChart.timeScale().fitContent();
    }),
    reference ? api(`/api/market/funding_history?hours=24&instrument=${encodeURIComponent(reference)}`).then((r) => {
      if (asset !== state.asset) return;
      series.funding = [];
      for (const row of r.rows) {
        const m = row.markets[0];
        const apr = m ? aprOf(m.rate8h) : null;
        if (apr !== null) upsert(series.funding, seconds(row.hour_start), apr);
      }
      fundingSeries.setData(fundingColors(series.funding));
      metrics.series.funding = series.funding.length;
      fundingChart.timeScale().fitContent();
      drawSparkline();
    }) : Promise.resolve(),
    reference ? api(`/api/market/bars?instrument=${encodeURIComponent(reference)}&limit=1440`).then((r) => {
      if (asset !== state.asset) return;
      const rows = r.rows.filter((b) => typeof b.open === 'number');
      candles.setData(rows.map((b) => ({ time: seconds(b.minute_start), open: b.open, high: b.high, low: b.low, close: b.close })));
      cvd.setData(rows.filter((b) => typeof b.cvd_usd === 'number').map((b) => ({ time: seconds(b.minute_start), value: b.cvd_usd })));
      metrics.series.candles = rows.length;
      metrics.series.cvd = rows.filter((b) => typeof b.cvd_usd === 'number').length;
      state.candles = rows.length > 0 ? seconds(rows[rows.length - 1].minute_start) : undefined;
      priceChart.timeScale().fitContent();
    }) : Promise.resolve(),
    loadHeatmap(asset),
    loadHealth(),
  ];
  await Promise.allSettled(tasks);
}

async function loadHeatmap(asset) {
  const r = await api(`/api/market/liq_heatmap?hours=1&instrument=${asset}&price_bins=${HEAT_PRICE_BINS}&time_bins=${HEAT_TIME_BINS}`);
  if (asset === state.asset) setHeatmap(r.rows.find((m) => m.asset === asset));
}

async function loadHealth() {
  const h = await api('/api/health');
  $('venues').replaceChildren(...h.venues.map((v) => {
    const li = document.createElement('li');
    li.className = v.state;
    const worst = v.streams.reduce((a, s) => Math.max(a, s.last_message_age_seconds ?? 0), 0);
    li.textContent = `${v.venue}: ${v.state} · ${v.streams.length} streams · last message ≤ ${num(worst, 1)} s`;
    return li;
  }));
}

// ---------------------------------------------------------------- WebSocket

function connect() {
  const cfg = state.config;
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${host}:${cfg.websocket_port}${cfg.websocket_path}${apiKey ? `?api_key=${encodeURIComponent(apiKey)}` : ''}`;
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.onopen = () => {
    state.backoff = 500;
    subscribe();
  };
  ws.onmessage = (e) => onMessage(JSON.parse(e.data));
  ws.onclose = () => {
    if (state.ws !== ws) return;
    state.wsUp = false;
    showConnection();
    setTimeout(connect, state.backoff);
    state.backoff = Math.min(10_000, state.backoff * 2);
  };
}

function subscribe() {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) {
    state.ws.send(JSON.stringify({ type: 'subscribe', kinds: ['liquidation', 'snapshot', 'connection_status'], instruments: [state.asset], snapshot_every_ms: 1000 }));
  }
}

function onMessage(m) {
  if (m.type === 'hello') {
    const wasDown = !state.wsUp;
    state.wsUp = true;
    showConnection();
    if (wasDown && metrics.snapshots > 0) loadHistory(state.asset).catch(() => {});
  } else if (m.type === 'snapshot') {
    const start = performance.now();
    renderSnapshot(m.snapshot);
    const took = performance.now() - start;
    metrics.snapshots += 1;
    metrics.updates += 1;
    metrics.lastUpdateMs = took;
    metrics.maxUpdateMs = Math.max(metrics.maxUpdateMs, took);
  } else if (m.type === 'event' && m.event.kind === 'liquidation' && m.event.base === state.asset) {
    const e = m.event;
    const l = { venue: e.venue, symbol: e.symbol, time: e.exchange_time_us, price: e.price, quantity: e.quantity, side: e.liquidated_side, usd: e.notional_usd };
    addLiveLiquidation(l);
    addLiquidationTape(l);
    metrics.liveLiquidations += 1;
    // Server receive (its wall clock, same machine on loopback) to drawn on the page.
    if (typeof e.receive_time_us === 'number') metrics.liquidationLatencyMs.push(Date.now() - e.receive_time_us / 1000);
  } else if (m.type === 'event' && m.event.kind === 'connection_status') {
    loadHealth().catch(() => {});
  }
}

// ---------------------------------------------------------------- start

function selectAsset(asset) {
  state.asset = asset;
  for (const b of $('assets').children) b.classList.toggle('active', b.textContent === asset);
  tapeItems.clear();
  $('tape').replaceChildren();
  series.oi = []; series.funding = [];
  state.candles = null;
  subscribe();
  loadHistory(asset).catch(() => {});
}

async function start() {
  drawScale();
  for (;;) {
    try { state.config = await api('/api/config'); break; } catch { state.ws = state.ws ?? 'pending'; showConnection(); await new Promise((r) => setTimeout(r, 2000)); }
  }
  const cfg = state.config;
  if (cfg.data_source !== 'live') {
    const banner = $('source');
    banner.textContent = cfg.data_source === 'simulated' ? 'SIMULATED' : 'REPLAY';
    banner.hidden = false;
  }
  for (const asset of cfg.assets) {
    const b = document.createElement('button');
    b.textContent = asset;
    b.dataset.testid = `asset-${asset}`;
    b.onclick = () => selectAsset(asset);
    $('assets').appendChild(b);
  }
  connect();
  selectAsset(cfg.assets[0]);
  setInterval(() => { loadHeatmap(state.asset).catch(() => {}); loadHealth().catch(() => {}); }, 10_000);
  window.addEventListener('resize', drawHeatmap);
}

start();
