/**
 * The itinerary card (行程卡): cities with a stay of at least 4 h in the last 14 days, from
 * carrier stays and rail/flight trips (rule in src/domain/places/itinerary.ts), starred when a
 * medium or high area is active there now; plus the card as a signed JKMT1 token.
 */
import type { PersonSubjects } from '../../ports/person-subject.port.ts';
import type { StayStore } from '../../ports/stay-store.port.ts';
import type { TripStore } from '../../ports/trip-store.port.ts';
import { nearestPrefecture } from '../../domain/places/city-centroids.ts';
import {
  DEFAULT_ITINERARY_RULES,
  itineraryCities,
  type ItineraryStay,
} from '../../domain/places/itinerary.ts';
import { ITINERARY_PREFIX, itineraryClaimMap, signPlacesToken } from '../../domain/places/places-token.ts';
import { cityName, prefectureCode } from '../../domain/regions.ts';
import { maskPhone } from '../../domain/mask.ts';
import type { Clock } from '../../ports/clock.port.ts';
import { AppError } from '../app-error.ts';
import type { KeyService } from '../key.service.ts';
import type { ResidentService } from '../resident.service.ts';
import type { RiskAreaService } from './risk-area.service.ts';
import { verifyItineraryToken } from './places-token.verify.ts';

/** Stay sources that are not "being in a city": a check-in or a code display is a moment. */
const NOT_PRESENCE = new Set(['checkin', 'code']);
export const ITINERARY_TOKEN_TTL_SECONDS = 600;

export interface ItineraryCard {
  asOf: string;
  from: string;
  phone: string | null;
  cities: Array<{
    code: string;
    regionCode: string;
    name: string;
    starred: boolean;
    hours: number;
    lastSeenAt: string;
  }>;
  token: string;
  expiresAt: string;
}

export class ItineraryService {
  constructor(
    private readonly stays: StayStore,
    private readonly trips: TripStore,
    private readonly persons: PersonSubjects,
    private readonly residents: ResidentService,
    private readonly areas: RiskAreaService,
    private readonly keys: KeyService,
    private readonly clock: Clock,
    private readonly issuer: string,
  ) {}

  /**
   * Checks a scanned card token against this platform's trust list. The pseudonymous subject is
   * not for the person checking the card, so the answer leaves it out.
   */
  async verify(token: string) {
    const r = await verifyItineraryToken(
      token,
      [await this.keys.trustList()],
      Math.floor(this.clock.now() / 1000),
    );
    return r.valid
      ? {
          valid: true as const,
          phone: r.claims.phone ?? null,
          fromDay: r.claims.fromDay,
          cities: r.claims.cities,
          expiresAt: new Date(r.claims.exp * 1000).toISOString(),
        }
      : r;
  }

  /** The resident's card for now, with its signed token. */
  async card(personId: number): Promise<ItineraryCard> {
    const now = this.clock.now();
    const rules = DEFAULT_ITINERARY_RULES;
    const from = now - rules.lookbackMs;
    const subject = await this.persons.subjectOf(personId);
    if (subject === undefined) throw new AppError('PERSON_NOT_FOUND', 404, 'no such resident');
    const [rows, tripRows, starred, profile] = await Promise.all([
      this.stays.ofPerson(personId, new Date(from)),
      this.trips.tripsOf(personId, new Date(from - rules.lookbackMs)),
      this.areas.starredCities(),
      this.residents.profile(personId),
    ]);
    const stays: ItineraryStay[] = [];
    for (const s of rows) {
      if (NOT_PRESENCE.has(s.source)) continue;
      const city = s.region_code
        ? s.region_code.slice(0, 4)
        : s.lat !== null && s.lon !== null
          ? nearestPrefecture(s.lat, s.lon)
          : undefined;
      if (city)
        stays.push({ city, start: new Date(s.started_at).getTime(), end: new Date(s.ended_at).getTime() });
    }
    const trips = tripRows.map((t) => ({
      fromCity: t.from_region.slice(0, 4),
      toCity: t.to_region.slice(0, 4),
      departedAt: new Date(t.departed_at).getTime(),
      arrivedAt: new Date(t.arrived_at).getTime(),
    }));
    const cities = itineraryCities(stays, trips, now, starred, rules);
    const phone = profile?.phone ? maskPhone(profile.phone) : null;
    const iat = Math.floor(now / 1000);
    const exp = iat + ITINERARY_TOKEN_TTL_SECONDS;
    const signer = await this.keys.currentSigner();
    const token = signPlacesToken(
      ITINERARY_PREFIX,
      signer,
      itineraryClaimMap({
        iss: this.issuer,
        sub: subject,
        iat,
        exp,
        ...(phone ? { phone } : {}),
        fromDay: Math.floor(from / 86_400_000),
        cities: cities.map((c) => [c.code, c.starred]),
      }),
    );
    return {
      asOf: new Date(now).toISOString(),
      from: new Date(from).toISOString(),
      phone,
      cities: cities.map((c) => ({
        code: c.code,
        regionCode: prefectureCode(c.code + '00'),
        name: cityName(c.code) ?? c.code,
        starred: c.starred,
        hours: Math.round((c.longestMs / 3_600_000) * 10) / 10,
        lastSeenAt: new Date(c.lastSeenAt).toISOString(),
      })),
      token,
      expiresAt: new Date(exp * 1000).toISOString(),
    };
  }
}
