// The /agent/ page: starts the training worker with the enrollment token from the URL fragment (then drops it from
// the URL), forwards the device's conditions (visibility, battery, compute pressure) to it, holds a screen wake lock
// while a job trains, and shows facts, enrollment, the current job, a live loss/accuracy chart and the step time.
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement } from 'chart.js';
import { tokenFromFragment } from '../../../protocol/src/enrollment-url.js';
import type { PageToWorker, ProgressView, WorkerToPage } from './messages.js';
import type { PageConditions } from './platform/conditions.js';
import { UNKNOWN_CONDITIONS } from './platform/conditions.js';
import { problemText } from './problem-text.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend);

const worker = new Worker(new URL('agent-worker.js', import.meta.url), { type: 'module' });
const send = (message: PageToWorker) => worker.postMessage(message);
const element = (id: string) => document.getElementById(id) as HTMLElement;
const chart = lossAccuracyChart(element('chart') as HTMLCanvasElement);
let conditions: PageConditions = { ...UNKNOWN_CONDITIONS, visibility: document.visibilityState === 'hidden' ? 'hidden' : 'visible' };
let training = false;
let wakeLock: { release(): Promise<void> } | undefined;

worker.onmessage = (event: MessageEvent<WorkerToPage>) => show(event.data);
worker.onerror = (event) => showProblem(`the training worker failed: ${event.message}`);

const token = tokenFromFragment(location.hash);
if (token !== undefined) history.replaceState(null, '', location.pathname + location.search);
send({ type: 'start', origin: location.origin, ...(token ? { token } : {}) });
watchConditions();

function show(message: WorkerToPage): void {
  switch (message.type) {
    case 'facts': {
      const f = message.facts;
      const rows: Array<[string, string]> = [
        ['Device', f.deviceModel],
        ['Platform', `${f.platform} (${f.runtime})`],
        ['Cores', String(f.cores)],
        ['Memory', f.memoryBytes > 0 ? `${(f.memoryBytes / 1024 ** 3).toFixed(0)} GiB` : 'not exposed'],
        ['Backend', `${f.chosenBackend} (SIMD ${f.wasmSimd ? 'yes' : 'no'}, threads ${f.wasmThreads ? 'yes' : 'no'})`],
        ['Agent', f.agentVersion],
      ];
      element('facts').replaceChildren(...rows.flatMap(([term, value]) => [tag('dt', term), tag('dd', value)]));
      return;
    }
    case 'enrollment':
      element('enrollment').textContent = message.state === 'enrolled' ? `enrolled${message.deviceId ? ` as ${message.deviceId}` : ''}` : 'enrolling…';
      return;
    case 'connection':
      element('connection').textContent = `${message.state}: ${message.detail}`;
      return;
    case 'job-started': {
      const job = message.job;
      const resumed = job.resumedFromStep === undefined ? '' : `, resumed from step ${job.resumedFromStep}`;
      element('job').textContent = `${job.jobId} (attempt ${job.attempt}): ${job.model} ${job.method} on ${job.dataset}${resumed}`;
      element('job').dataset.jobId = job.jobId;
      resetChart();
      setTraining(true);
      return;
    }
    case 'progress':
      showProgress(message.progress);
      return;
    case 'job-finished':
      element('result').textContent =
        `${message.jobId}: ${message.outcome}` +
        (message.testAccuracy === undefined ? '' : `, test accuracy ${(message.testAccuracy * 100).toFixed(1)}%`) +
        (message.compute === undefined ? '' : `, ${message.compute} (${message.kernelLayers ?? 0} kernel layers)`) +
        (message.error ? ` (${message.error})` : '');
      element('result').dataset.outcome = message.outcome;
      element('result').dataset.compute = message.compute ?? '';
      setTraining(false);
      return;
    case 'paused':
      element('progress').dataset.paused = String(message.paused);
      if (message.paused) element('progress').textContent = 'paused while the page is hidden (the job asks for it)';
      return;
    case 'warning':
      console.warn(message.message);
      element('connection').title = message.message;
      return;
    case 'fatal':
      setTraining(false);
      showProblem(problemText(message.code, message.message));
      element('enrollment').textContent = 'stopped';
      return;
  }
}

function showProgress(progress: ProgressView): void {
  const test = progress.testAccuracy === undefined ? '' : `, test accuracy ${(progress.testAccuracy * 100).toFixed(1)}%`;
  element('progress').textContent =
    `${progress.phase}: step ${progress.step}/${progress.totalSteps}, epoch ${progress.epoch + 1}, ` +
    `loss ${progress.loss.toFixed(3)}, train accuracy ${(progress.trainAccuracy * 100).toFixed(1)}%${test}`;
  element('step-time').textContent = `${progress.stepMsP50.toFixed(1)} ms median, ${progress.stepMsP90.toFixed(1)} ms p90`;
  if (progress.phase !== 'training') return;
  chart.data.labels?.push(progress.step);
  chart.data.datasets[0].data.push(progress.loss);
  chart.data.datasets[1].data.push(progress.trainAccuracy);
  chart.update('none');
  element('chart').dataset.points = String(chart.data.labels?.length ?? 0);
}

function lossAccuracyChart(canvas: HTMLCanvasElement): Chart<'line', number[], number> {
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        { label: 'loss', data: [], borderColor: '#c0392b', yAxisID: 'loss', pointRadius: 0 },
        { label: 'train accuracy', data: [], borderColor: '#2471a3', yAxisID: 'accuracy', pointRadius: 0 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: 'category', title: { display: true, text: 'step' } },
        loss: { type: 'linear', position: 'left', beginAtZero: true },
        accuracy: { type: 'linear', position: 'right', min: 0, max: 1, grid: { drawOnChartArea: false } },
      },
    },
  });
}

function resetChart(): void {
  chart.data.labels = [];
  for (const dataset of chart.data.datasets) dataset.data = [];
  chart.update('none');
}

function showProblem(text: string): void {
  const box = element('problem');
  box.textContent = text;
  box.classList.add('shown');
}

function tag(name: string, text: string): HTMLElement {
  const node = document.createElement(name);
  node.textContent = text;
  return node;
}

/** Keeps the screen on while a job trains (where the Screen Wake Lock API exists and the page is visible). */
function setTraining(active: boolean): void {
  training = active;
  if (!active) {
    void wakeLock?.release().catch(() => undefined);
    wakeLock = undefined;
    return;
  }
  void holdWakeLock();
}

async function holdWakeLock(): Promise<void> {
  const api = (navigator as { wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> } }).wakeLock;
  if (!api || !training || wakeLock || document.visibilityState !== 'visible') return;
  try {
    wakeLock = await api.request('screen');
    element('job').dataset.wakeLock = 'held';
  } catch (error) {
    element('job').dataset.wakeLock = `refused: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function updateConditions(change: Partial<PageConditions>): void {
  conditions = { ...conditions, ...change };
  send({ type: 'conditions', conditions });
}

function watchConditions(): void {
  updateConditions({});
  document.addEventListener('visibilitychange', () => {
    const visible = document.visibilityState === 'visible';
    updateConditions({ visibility: visible ? 'visible' : 'hidden' });
    // The browser drops a wake lock when the page is hidden; take it again on return.
    if (visible) {
      wakeLock = undefined;
      void holdWakeLock();
    }
  });
  void watchBattery();
  watchPressure();
}

interface BatteryManagerLike extends EventTarget {
  readonly level: number;
  readonly charging: boolean;
}

async function watchBattery(): Promise<void> {
  const getBattery = (navigator as { getBattery?: () => Promise<BatteryManagerLike> }).getBattery;
  if (!getBattery) return;
  try {
    const battery = await getBattery.call(navigator);
    const read = () => updateConditions({ batteryLevel: battery.level, charging: battery.charging });
    read();
    battery.addEventListener('levelchange', read);
    battery.addEventListener('chargingchange', read);
  } catch {
    // Not exposed here (e.g. a permissions policy): heartbeats say "unknown".
  }
}

type PressureRecordLike = { readonly state: string };
type PressureObserverCtor = new (callback: (records: PressureRecordLike[]) => void) => { observe(source: 'cpu'): Promise<void> };

function watchPressure(): void {
  const Observer = (globalThis as { PressureObserver?: PressureObserverCtor }).PressureObserver;
  if (!Observer) return;
  const observer = new Observer((records) => {
    const latest = records[records.length - 1];
    if (latest) updateConditions({ thermalState: latest.state });
  });
  observer.observe('cpu').catch(() => undefined);
}
