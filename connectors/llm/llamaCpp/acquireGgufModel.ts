import { getLlama, type Llama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import { ArboretumError, messageOf } from '../../../schemas/errors.ts';

/** A share of a GGUF model loaded once per process; `release` disposes it when the last share goes. */
export interface GgufModelShare {
  readonly model: Promise<LlamaModel>;
  release(): Promise<void>;
}

interface Entry {
  readonly model: Promise<LlamaModel>;
  refs: number;
}

// Process-wide: the native binding and each model file are loaded once, however many clients use them.
let llama: Promise<Llama> | null = null;
const models = new Map<string, Entry>();

const llamaOf = () => {
  // build 'never' + skipDownload: only the prebuilt binaries from npm (@node-llama-cpp/linux-x64 …) are used, nothing
  // is compiled or fetched at run time. CPU only (gpu false): the GPU packages probe drivers and are not what a
  // first run on a small machine needs. maxThreads 0 makes each context's `threads` exact instead of a hint.
  llama ??= getLlama({
    build: 'never',
    skipDownload: true,
    gpu: false,
    maxThreads: 0,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
  }).catch((e) => {
    llama = null;
    throw new ArboretumError(
      'INVALID_CONFIG',
      `llama.cpp: the node-llama-cpp binding did not load: ${messageOf(e)}`,
      {
        cause: e,
      },
    );
  });
  return llama;
};

/** Loads (or shares) the model at `path` (a checked, absolute path); INVALID_CONFIG names the file when it fails. */
export function acquireGgufModel(path: string): GgufModelShare {
  let entry = models.get(path);
  if (!entry) {
    const model = llamaOf().then((l) =>
      l.loadModel({ modelPath: path }).catch((e) => {
        throw new ArboretumError(
          'INVALID_CONFIG',
          `llama.cpp: cannot load the model ${path}: ${messageOf(e)}`,
          {
            cause: e,
            context: { file: path },
          },
        );
      }),
    );
    entry = { model, refs: 0 };
    models.set(path, entry);
    // A failed load is not cached: the next client tries again (and reports the error again).
    model.catch(() => {
      if (models.get(path) === entry) models.delete(path);
    });
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    model: held.model,
    async release() {
      if (released) return;
      released = true;
      if (--held.refs > 0) return;
      if (models.get(path) === held) models.delete(path);
      const m = await held.model.catch(() => null);
      await m?.dispose();
      if (models.size === 0 && llama) {
        // Taken synchronously: a client that starts meanwhile gets a fresh binding instead of this disposed one.
        const current = llama;
        llama = null;
        await (await current.catch(() => null))?.dispose();
      }
    },
  };
}
