import { MultiBar, Presets } from 'cli-progress';
import type { GrowProgressFields } from './growProgressFields.ts';

export interface GrowProgressOptions {
  /** bar: a cli-progress bar (a terminal); json: one JSON line per reading; none: nothing but notices. */
  readonly mode: 'bar' | 'json' | 'none';
  /** Reads the progress now (called on each redraw). */
  readonly read: () => GrowProgressFields;
  /** Default process.stderr. */
  readonly stream?: NodeJS.WriteStream;
  /** Between JSON lines, in ms (default 5000); the bar redraws 4 times a second. */
  readonly jsonEveryMs?: number;
}

export interface GrowProgress {
  /** A notice on its own line (above the bar on a terminal), e.g. a timeout. */
  notice(line: string): void;
  /** Draws or writes the final reading (`"final": true` in JSON) and stops. */
  stop(): void;
}

/** h:mm:ss of seconds, or ? when unknown. */
function clock(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${mm}:${ss}`;
}

/** The bar's text fields (cli-progress payload tokens). */
function payloadOf(p: GrowProgressFields) {
  const pass = p.passRateByTurn
    .map((t) => `T${t.turn} ${t.rate === null ? '-' : `${Math.round(100 * t.rate)}%`}`)
    .join(' ');
  const trouble = [
    p.retries ? `${p.retries} retries` : '',
    p.timeouts ? `${p.timeouts} timeouts` : '',
    p.failed ? `${p.failed} failed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    trees: `${p.done}/${p.total ?? '?'}${p.totalFinal ? '' : '+'}`,
    pct: p.percent === null ? '?' : p.percent.toFixed(1),
    // Not `eta`/`duration`: cli-progress fills those tokens itself from its own timer.
    spent: clock(p.elapsedS),
    left: clock(p.etaS),
    open: p.open,
    rate: p.callsPerS.toFixed(1),
    tokens: p.tokens,
    usd: `$${p.costUsd.toFixed(4)}`,
    pass: pass || '-',
    trouble: trouble ? ` | ${trouble}` : '',
  };
}

/**
 * The progress of a grow run: a cli-progress bar on a terminal (trees done / total, %, elapsed, ETA, calls/s, tokens,
 * dollars, pass rate by turn), JSON lines elsewhere (`{"progress": GrowProgressFields, "final": bool}`).
 */
export function createGrowProgress({
  mode,
  read,
  stream = process.stderr,
  jsonEveryMs = 5000,
}: GrowProgressOptions): GrowProgress {
  if (mode === 'json') {
    const write = (final: boolean) => stream.write(`${JSON.stringify({ progress: read(), final })}\n`);
    const timer = setInterval(() => write(false), jsonEveryMs);
    timer.unref();
    return {
      notice: (line) => stream.write(`${line}\n`),
      stop() {
        clearInterval(timer);
        write(true);
      },
    };
  }
  if (mode === 'none') {
    return { notice: (line) => stream.write(`${line}\n`), stop() {} };
  }
  const multi = new MultiBar(
    {
      stream,
      format:
        'trees {bar} {trees} {pct}% | {spent} ETA {left} | {usd} | {rate} calls/s | {tokens} tok | {open} open | pass {pass}{trouble}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 4,
      barsize: 16,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  const first = read();
  const bar = multi.create(Math.max(1, first.total ?? 1), first.done, payloadOf(first));
  const redraw = () => {
    const p = read();
    bar.setTotal(Math.max(1, p.total ?? 1));
    bar.update(p.done, payloadOf(p));
  };
  const timer = setInterval(redraw, 250);
  timer.unref();
  return {
    notice: (line) => multi.log(`${line}\n`),
    stop() {
      clearInterval(timer);
      redraw();
      multi.stop();
    },
  };
}
