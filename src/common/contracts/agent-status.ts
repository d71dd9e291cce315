import { z } from 'zod';

/**
 * The sidecar agent's `/status` document (README "Agent admin API"), defined
 * once: the agent builds it (src/sidecar/health/status-document.ts), the CLI
 * (`appnet status --agent`), the local mesh and the tests parse it with
 * `AgentStatusSchema`. The first keys are the reference agent's, all strings,
 * in its order; then what appnet adds. Keys a reader does not know are ignored.
 */

export const AgentStatusSchema = z.object({
  /** UNHEALTHY too while the agent starts (its admin API answers before Envoy is started; `reasons` says so). */
  healthStatus: z.enum(['HEALTHY', 'UNHEALTHY']),
  /** "42s" */
  agentUptime: z.string(),
  /** "-1" while Envoy has no process: the agent starting (bootstrap not written yet), or between restarts. */
  envoyPid: z.string(),
  /**
   * Envoy's own server state (LIVE, DRAINING, PRE_INITIALIZING, INITIALIZING), UNREACHABLE when
   * its admin does not answer, or UNKNOWN before the first evaluation (the agent starting).
   */
  envoyState: z.string(),
  envoyRestartCount: z.string(),
  managementServerConnectionStatus: z.enum(['CONNECTED', 'NOT_CONNECTED']).optional(),
  /** ISO time, while NOT_CONNECTED. */
  managementServerDisconnectedTimestamp: z.string().optional(),
  envoyReadinessState: z.enum(['NOT_INITIALIZED', 'INITIALIZED']),
  initialConfigUpdateStatus: z.enum(['UPDATE_SUCCESSFUL', 'UPDATE_FAILED']).optional(),
  /** Why it is not HEALTHY (or what to watch), one plain sentence each. */
  reasons: z.array(z.string()),
  /** Behind a relay socket: the relay and the control plane behind it, from the relay's health service. */
  relay: z
    .object({ socket: z.string(), relay: z.string(), controlPlane: z.string(), checkedAt: z.string(), error: z.string().nullable() })
    .optional(),
  /** How the last Envoy process ended, and what the agent did next. */
  envoyLastExit: z
    .object({ pid: z.number(), code: z.number().nullable(), signal: z.string().nullable(), at: z.string(), action: z.string() })
    .optional(),
});

export type AgentStatus = z.infer<typeof AgentStatusSchema>;
export type AgentRelayView = NonNullable<AgentStatus['relay']>;
export type EnvoyExit = NonNullable<AgentStatus['envoyLastExit']>;
