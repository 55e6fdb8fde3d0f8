/**
 * The event bus a fault test's child process joins: the parent's NATS stream and subject prefix,
 * passed down in FAULT_STREAM and FAULT_PREFIX (NATS_URL names the server).
 */
import { NatsBus } from '../../src/adapters/bus/nats-bus.ts';

export function connectFaultBus(env: NodeJS.ProcessEnv = process.env): Promise<NatsBus> {
  return NatsBus.connect({
    url: env.NATS_URL as string,
    stream: env.FAULT_STREAM as string,
    prefix: env.FAULT_PREFIX as string,
  });
}
