import { ENVOY_LOG_LEVELS, type EnvoyLogLevel } from '../config/agent-config';

export type LevelChange =
  | { kind: 'invalid'; message: string }
  | { kind: 'unchanged' }
  | { kind: 'changed'; from: EnvoyLogLevel; to: EnvoyLogLevel };

export interface LogLevelOptions {
  baseline: EnvoyLogLevel;
  resetAfterMs: number;
  /** Tell Envoy (POST /logging?level=); rejects on failure. */
  apply(level: EnvoyLogLevel): Promise<void>;
  onReset?(level: EnvoyLogLevel, error?: Error): void;
}

/**
 * Envoy's log level as the agent manages it. Temporary changes revert to the
 * baseline after APPNET_AGENT_LOGGING_RESET_TIMEOUT (a newer change re-arms the
 * timer); `permanent=true` moves the baseline, which is also the `-l` a
 * restarted Envoy gets. Every Envoy level works, `warning` and `critical` included.
 */
export class LogLevelController {
  private baselineLevel: EnvoyLogLevel;
  private currentLevel: EnvoyLogLevel;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LogLevelOptions) {
    this.baselineLevel = o.baseline;
    this.currentLevel = o.baseline;
  }

  get baseline(): EnvoyLogLevel {
    return this.baselineLevel;
  }

  get current(): EnvoyLogLevel {
    return this.currentLevel;
  }

  get resetPending(): boolean {
    return this.timer !== undefined;
  }

  static parse(level: string): EnvoyLogLevel | undefined {
    const l = level.toLowerCase();
    return (ENVOY_LOG_LEVELS as readonly string[]).includes(l) ? (l as EnvoyLogLevel) : undefined;
  }

  /** Set `level` (validated); throws when Envoy refuses or cannot be reached. */
  async set(levelText: string, permanent: boolean): Promise<LevelChange> {
    const level = LogLevelController.parse(levelText);
    if (!level) return { kind: 'invalid', message: `[${levelText}] is not an Envoy log level: use one of ${ENVOY_LOG_LEVELS.join(', ')}` };
    if (level === this.currentLevel && (!permanent || level === this.baselineLevel)) {
      if (permanent) this.cancelReset();
      return { kind: 'unchanged' };
    }
    const from = this.currentLevel;
    if (level !== this.currentLevel) await this.o.apply(level);
    this.currentLevel = level;
    if (permanent) {
      this.baselineLevel = level;
      this.cancelReset();
    } else this.armReset();
    return { kind: 'changed', from, to: level };
  }

  /** Envoy was restarted with the baseline (`-l`): a temporary level is gone. */
  envoyRestarted(): void {
    this.currentLevel = this.baselineLevel;
    this.cancelReset();
  }

  stop(): void {
    this.cancelReset();
  }

  private armReset(): void {
    this.cancelReset();
    if (this.currentLevel === this.baselineLevel) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const to = this.baselineLevel;
      this.o.apply(to).then(
        () => {
          this.currentLevel = to;
          this.o.onReset?.(to);
        },
        (err: Error) => this.o.onReset?.(to, err),
      );
    }, this.o.resetAfterMs);
    this.timer.unref();
  }

  private cancelReset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
