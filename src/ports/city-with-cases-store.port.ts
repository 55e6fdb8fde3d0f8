/** Cities with cases as the health authority lists them. Implemented by adapters/repositories/places/city-with-cases.repository.ts. */

export interface CityWithCasesRow {
  id: number;
  /** a prefecture (4 digits) or a county (6 digits) */
  region_code: string;
  since: Date;
  until: Date | null;
  note: string | null;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
}

export interface CityWithCasesStore {
  /** Lists a city; returns the entry. */
  insert(e: {
    regionCode: string;
    since: Date;
    until: Date | null;
    note: string | null;
    actor: string;
    at: Date;
  }): Promise<CityWithCasesRow>;
  /** Sets an entry's end; returns it, or undefined when there is no such entry. */
  setUntil(id: number, until: Date, actor: string, at: Date): Promise<CityWithCasesRow | undefined>;
  /** One entry. */
  get(id: number): Promise<CityWithCasesRow | undefined>;
  /** Entries listed at some moment after `since` (all that can still match presence after it). */
  listedSince(since: Date): Promise<CityWithCasesRow[]>;
}
