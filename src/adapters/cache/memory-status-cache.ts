/** Embedded status cache: a Map in this process, holding the encoded form to stay small. */
import { decodeHotStatus, encodeHotStatus, type HotStatus } from '../../domain/hot-status.ts';
import { compareStatusVersions } from '../../domain/status.ts';
import type { StatusCache } from '../../ports/status-cache.port.ts';

export class MemoryStatusCache implements StatusCache {
  private readonly map = new Map<number, string>();

  async get(personId: number): Promise<HotStatus | undefined> {
    const s = this.map.get(personId);
    return s === undefined ? undefined : decodeHotStatus(s);
  }

  async setMany(entries: ReadonlyArray<readonly [number, HotStatus]>): Promise<void> {
    for (const [id, h] of entries) {
      // Compare-and-set (docs/DESIGN.md §3): a newer status already here stays.
      const old = this.map.get(id);
      const kept = old === undefined ? undefined : decodeHotStatus(old);
      if (kept !== undefined && compareStatusVersions(kept.version, h.version) > 0) continue;
      this.map.set(id, encodeHotStatus(h));
    }
  }

  async delete(personId: number): Promise<void> {
    this.map.delete(personId);
  }

  async size(): Promise<number> {
    return this.map.size;
  }

  async close(): Promise<void> {
    this.map.clear();
  }
}
