/**
 * Venues (场所码): registration by an officer inside their region, an operator device for the
 * venue's own scanner, the signed poster (JKMV1 token as QR: SVG poster, PNG) and the counts an
 * operator may see (never names).
 */
import crypto from 'node:crypto';
import QRCode from 'qrcode';
import type { Principal } from '../../domain/principal.ts';
import type { VenueRow, VenueStore } from '../../ports/venue-store.port.ts';
import { adminDivision } from '../../domain/places/admin-divisions.ts';
import { signPlacesToken, VENUE_PREFIX, venueClaimMap } from '../../domain/places/places-token.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { UnitOfWork } from '../../ports/unit-of-work.port.ts';
import { AppError } from '../app-error.ts';
import type { AuditService } from '../audit.service.ts';
import type { AuthService } from '../auth.service.ts';
import type { KeyService } from '../key.service.ts';

export interface VenueInput {
  name: string;
  category: string;
  address: string;
  lat: number;
  lon: number;
  adminCode: string;
}

export interface VenueView extends VenueInput {
  id: number;
  adminName: string | null;
  regionCode: string;
  operatorDeviceId: number | null;
  active: boolean;
  createdAt: string;
}

export function venueView(v: VenueRow): VenueView {
  return {
    id: v.id,
    name: v.name,
    category: v.category,
    address: v.address,
    lat: v.lat,
    lon: v.lon,
    adminCode: v.admin_code,
    adminName: adminDivision(v.admin_code)?.name ?? null,
    regionCode: v.region_code,
    operatorDeviceId: v.operator_device_id,
    active: v.active,
    createdAt: new Date(v.created_at).toISOString(),
  };
}

export class VenueService {
  constructor(
    private readonly repo: VenueStore,
    private readonly auth: AuthService,
    private readonly keys: KeyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly issuer: string,
    /** a venue's change (with its operator device) and its audit entry commit together or not at all */
    private readonly uow: UnitOfWork,
  ) {}

  /** Registers a venue inside the officer's region and creates its operator device (API key shown once). */
  async register(
    who: { actor: string; regionPrefix: string },
    input: VenueInput,
  ): Promise<{ venue: VenueView; operator: { deviceId: number; apiKey: string } }> {
    const d = adminDivision(input.adminCode);
    if (!d) throw new AppError('VENUE_ADMIN_CODE', 400, `unknown division code ${input.adminCode}`);
    if (!d.county.startsWith(who.regionPrefix))
      throw new AppError(
        'VENUE_OUT_OF_REGION',
        403,
        `you may register venues only inside region ${who.regionPrefix}`,
      );
    if (!(Math.abs(input.lat) <= 90 && Math.abs(input.lon) <= 180))
      throw new AppError('VENUE_POSITION', 400, 'lat/lon out of range');
    const now = new Date(this.clock.now());
    const { venue, device } = await this.uow.run(async (s) => {
      const venue = await s.venues.insert({
        name: input.name.trim(),
        category: input.category.trim(),
        address: input.address.trim(),
        lat: input.lat,
        lon: input.lon,
        admin_code: d.code,
        region_code: d.county,
        poster_nonce: crypto.randomBytes(16),
        created_by: who.actor,
        created_at: now,
      });
      const device = await this.auth.addDeviceIn(
        s,
        `场所 venue ${venue.id} ${venue.name}`.slice(0, 120),
        'venue',
        d.county,
        venue.id,
      );
      await s.venues.setOperatorDevice(venue.id, device.id);
      await this.audit.appendTo(s.audit, {
        actor: who.actor,
        action: 'venue.register',
        detail: { venueId: venue.id, name: venue.name, adminCode: d.code, deviceId: device.id },
      });
      return { venue, device };
    });
    return {
      venue: venueView({ ...venue, operator_device_id: device.id }),
      operator: { deviceId: device.id, apiKey: device.apiKey },
    };
  }

  /** One venue by id (operator tools). */
  async get(id: number): Promise<VenueRow | undefined> {
    return this.repo.get(id);
  }

  /** A venue the caller may manage: an officer of its region, or its own venue device. */
  async manageable(p: Principal | undefined, id: number): Promise<VenueRow> {
    const v = await this.repo.get(id);
    const ok =
      v !== undefined &&
      ((p?.kind === 'staff' && v.region_code.startsWith(p.regionPrefix)) ||
        (p?.kind === 'device' && p.role === 'venue' && p.venueId === v.id));
    if (!v || !ok) throw new AppError('VENUE_NOT_FOUND', 404, 'no such venue that you manage');
    return v;
  }

  /** Venues of the officer's region. */
  async inRegion(prefix: string): Promise<VenueView[]> {
    return (await this.repo.inRegion(prefix, 1000)).map(venueView);
  }

  /** The signed poster text (JKMV1), the QR content. */
  async posterToken(v: VenueRow): Promise<string> {
    if (!v.active) throw new AppError('VENUE_INACTIVE', 410, 'this venue is closed');
    const signer = await this.keys.currentSigner();
    return signPlacesToken(
      VENUE_PREFIX,
      signer,
      venueClaimMap({
        iss: this.issuer,
        iat: Math.floor(this.clock.now() / 1000),
        venueId: v.id,
        name: v.name,
        adminCode: v.admin_code,
        nonce: new Uint8Array(v.poster_nonce),
      }),
    );
  }

  /** The QR alone as PNG (scale 8 px per module, 4-module quiet zone). */
  async qrPng(v: VenueRow): Promise<Buffer> {
    return QRCode.toBuffer(await this.posterToken(v), {
      type: 'png',
      errorCorrectionLevel: 'M',
      margin: 4,
      scale: 8,
    });
  }

  /** A printable A4 poster (SVG, 210 × 297 mm): title, venue name and address, the QR, how to use it. */
  async posterSvg(v: VenueRow): Promise<string> {
    const qr = await QRCode.toString(await this.posterToken(v), {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    const inner = qr
      .replace(/^<\?xml[^>]*>\s*/, '')
      .replace('<svg ', '<svg x="105" y="250" width="385" height="385" ');
    const esc = (s: string) =>
      s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 595 842" font-family="sans-serif">',
      '<rect width="595" height="842" fill="#ffffff"/>',
      '<rect x="0" y="0" width="595" height="120" fill="#0a7d3b"/>',
      '<text x="297.5" y="62" font-size="40" fill="#ffffff" text-anchor="middle" font-weight="bold">场所码</text>',
      '<text x="297.5" y="98" font-size="18" fill="#ffffff" text-anchor="middle">Venue code · 扫码登记 Scan to check in</text>',
      `<text x="297.5" y="180" font-size="28" text-anchor="middle" font-weight="bold">${esc(v.name)}</text>`,
      `<text x="297.5" y="215" font-size="16" text-anchor="middle" fill="#444444">${esc(v.address)}</text>`,
      inner,
      '<text x="297.5" y="680" font-size="16" text-anchor="middle">请使用健康码应用扫描上方二维码完成登记</text>',
      '<text x="297.5" y="704" font-size="14" text-anchor="middle" fill="#444444">Scan with the health-code app to check in</text>',
      `<text x="297.5" y="800" font-size="11" text-anchor="middle" fill="#888888">No. ${v.id} · ${esc(v.admin_code)} · ${esc(this.issuer)} · ${esc(v.category)}</text>`,
      '</svg>',
    ].join('\n');
  }

  /** Re-prints the poster: a new nonce, so posters printed before stop checking in. */
  async reprint(who: string, v: VenueRow): Promise<void> {
    await this.uow.run(async (s) => {
      await s.venues.setNonce(v.id, crypto.randomBytes(16));
      await this.audit.appendTo(s.audit, { actor: who, action: 'venue.reprint', detail: { venueId: v.id } });
    });
  }

  /** Closes or reopens a venue (closed venues refuse check-ins). */
  async setActive(who: string, v: VenueRow, active: boolean): Promise<void> {
    await this.uow.run(async (s) => {
      await s.venues.setActive(v.id, active);
      await this.audit.appendTo(s.audit, {
        actor: who,
        action: active ? 'venue.open' : 'venue.close',
        detail: { venueId: v.id },
      });
    });
  }

  /** Counts only (what an operator may see): check-ins and distinct people per day, 14 days. */
  async stats(v: VenueRow) {
    const from = new Date(this.clock.now() - 14 * 86_400_000);
    const days = await this.repo.dailyCounts(v.id, from);
    return { venueId: v.id, from: from.toISOString(), total: days.reduce((n, d) => n + d.checkins, 0), days };
  }
}
