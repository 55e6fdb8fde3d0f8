/**
 * Code issuance (docs/DESIGN.md §4): the resident's current hot status signed into a short-lived
 * JKM1 token, with what the screen shows beside the QR. This is the platform's hottest path: one
 * cache read and one signature, no database round trip when the cache is warm.
 */
import { COLOUR5_LABELS, colour5Name, toColour3, type Colour3, type Colour5 } from '../domain/colour.ts';
import type { HotStatus } from '../domain/hot-status.ts';
import type { CodeKind, HcClaims } from '../domain/token/claims.ts';
import { issueTokenAsync } from '../domain/token/jkm1.ts';
import type { Clock } from '../ports/clock.port.ts';
import { AppError } from './app-error.ts';
import type { KeyService } from './key.service.ts';
import { ruleText, type ActivePolicy, type PolicyService } from './policy.service.ts';
import type { StatusService } from './status.service.ts';

export interface CodeDisplayReason {
  rule: string;
  label: { zh: string; en: string };
  release: { zh: string; en: string };
  since: string;
  until: string | null;
  /** key-population lists behind this reason (名单), when it comes from one */
  lists?: string[];
}

export interface CodeResponse {
  token: string;
  colour3: Colour3;
  colour5: Colour5;
  kind: CodeKind;
  issuedAt: string;
  expiresAt: string;
  refreshAfter: string;
  display: {
    maskedName: string;
    colour: { zh: string; en: string; name: string };
    reasons: CodeDisplayReason[];
    vaccineDoses: number;
    lastNegativeTest: string | null;
    nextReviewAt: string | null;
  };
}

export interface CodeOptions {
  issuer: string;
  screenTtlSeconds: number;
  paperTtlSeconds: number;
}

export class CodeService {
  /**
   * What the screen shows beside the QR depends only on the hot status and the policy texts: kept
   * per status object (the near cache hands out the same object until Redis says it changed).
   */
  private readonly displays = new WeakMap<
    HotStatus,
    { texts: ActivePolicy['texts']; display: CodeResponse['display'] }
  >();

  constructor(
    private readonly statuses: StatusService,
    private readonly keys: KeyService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
    private readonly opts: CodeOptions,
  ) {}

  /** Issues a code for a person: kind s (screen, 60 s), p (paper), o (offline), d (dependent). */
  async issue(personId: number, kind: CodeKind = 's'): Promise<CodeResponse> {
    const now = this.clock.now();
    let hot = await this.statuses.hot(personId);
    if (!hot) throw new AppError('PERSON_NOT_FOUND', 404, 'no such resident');
    // A status past its review time may have changed on its own: settle it before signing.
    if (hot.nextReviewAt !== 0 && hot.nextReviewAt * 1000 <= now) {
      await this.statuses.recompute([personId]);
      hot = (await this.statuses.hot(personId)) ?? hot;
    }
    const iat = Math.floor(now / 1000);
    const ttl = kind === 's' || kind === 'd' ? this.opts.screenTtlSeconds : this.opts.paperTtlSeconds;
    const exp = iat + ttl;
    const hc: HcClaims['hc'] = { c: toColour3(hot.colour5), c5: hot.colour5, k: kind };
    if (hot.vaccineDoses > 0) hc.v = hot.vaccineDoses;
    if (hot.lastNegativeTestDay !== null) hc.t = hot.lastNegativeTestDay;
    const token = await issueTokenAsync(await this.keys.currentSigner(), {
      iss: this.opts.issuer,
      sub: hot.sub,
      iat,
      exp,
      hc,
    });
    return {
      token,
      colour3: hc.c,
      colour5: hot.colour5,
      kind,
      issuedAt: new Date(iat * 1000).toISOString(),
      expiresAt: new Date(exp * 1000).toISOString(),
      refreshAfter: new Date((exp - Math.min(15, Math.floor(ttl / 4))) * 1000).toISOString(),
      display: await this.display(hot),
    };
  }

  private async display(hot: HotStatus): Promise<CodeResponse['display']> {
    const { texts } = await this.policies.active();
    const known = this.displays.get(hot);
    if (known !== undefined && known.texts === texts) return known.display;
    const display = this.buildDisplay(hot, texts);
    this.displays.set(hot, { texts, display });
    return display;
  }

  private buildDisplay(hot: HotStatus, texts: ActivePolicy['texts']): CodeResponse['display'] {
    const name = colour5Name(hot.colour5);
    return {
      maskedName: hot.maskedName,
      colour: { ...COLOUR5_LABELS[name], name },
      reasons: hot.reasons.map(([rule, since, until, lists]) => {
        const t = ruleText(texts, rule);
        const reason: CodeDisplayReason = {
          rule,
          label: t.label,
          release: t.release,
          since: new Date(since * 1000).toISOString(),
          until: until ? new Date(until * 1000).toISOString() : null,
        };
        if (lists?.length) reason.lists = lists;
        return reason;
      }),
      vaccineDoses: hot.vaccineDoses,
      lastNegativeTest:
        hot.lastNegativeTestDay === null
          ? null
          : new Date(hot.lastNegativeTestDay * 86400_000).toISOString().slice(0, 10),
      nextReviewAt: hot.nextReviewAt ? new Date(hot.nextReviewAt * 1000).toISOString() : null,
    };
  }
}
