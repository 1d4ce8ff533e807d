/**
 * A part of the stack that can suffer an injected fault (`--fault
 * redis:restart@5s`). Providers implement it next to their `PortProvider`;
 * strategies have their own capability (`FaultTarget` in the contract) for
 * faults inside them (`consumer:kill`).
 */
import type { PortRequest } from '../stack/needs.js';

/** A provider that can inject faults into the part it provides. */
export interface StackFaultTarget {
  /** Actions it understands, e.g. `['restart']`. */
  readonly stackFaults: readonly string[];
  /**
   * Injects `action` for the replay behind `request`. Resolves, once the
   * fault took effect, with one line saying what was done (recorded with the
   * fault event), e.g. "restarted redis-server pid 123 → 456, all data lost".
   */
  injectStackFault(action: string, request: PortRequest): Promise<string>;
}

/** Type guard for {@link StackFaultTarget}. */
export function isStackFaultTarget(x: unknown): x is StackFaultTarget {
  const t = x as Partial<StackFaultTarget> | undefined;
  return t !== undefined && t !== null && Array.isArray(t.stackFaults) && typeof t.injectStackFault === 'function';
}
