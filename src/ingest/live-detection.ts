import type { DetectionStage } from './detection-stage.js';

export interface LiveDetection {
  /** Saves the detection windows and stops the timers. */
  stop(): void;
}

/**
 * Keeps detection going between arrivals in a long-running process: the wall clock advances
 * the engine (a stream that stops sending is noticed) and the windows are saved regularly, so
 * a restart loses at most one save interval.
 */
export function startLiveDetection(stage: DetectionStage, options: { tickMs: number; saveMs: number }, onError: (error: unknown) => void): LiveDetection {
  const tick = setInterval(() => stage.tick(Date.now()).catch(onError), options.tickMs);
  const save = setInterval(() => {
    try {
      stage.saveWindows();
    } catch (error) {
      onError(error);
    }
  }, options.saveMs);
  tick.unref();
  save.unref();
  return {
    stop() {
      clearInterval(tick);
      clearInterval(save);
      stage.saveWindows();
    },
  };
}
