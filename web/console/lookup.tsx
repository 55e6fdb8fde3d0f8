/**
 * Person lookup by document (POST /v1/persons/lookup → GET /v1/persons/:id). The server answers
 * only for persons inside the officer's region and audits every read; the console says so.
 */
import { useState } from 'preact/hooks';
import { api } from '../shared/api.ts';
import { fmtTime, useLang } from '../shared/i18n.ts';
import { ColourBadge } from '../shared/ui.tsx';
import { regionText, type Session } from './session.ts';

export interface PersonView {
  person: {
    maskedName: string;
    docMasked: string;
    regionName: string | null;
    regionCode: string | null;
    sex: string | null;
    birthDate: string | null;
  };
  status: {
    colour5: number;
    reasons: Array<{ rule: string; label: { zh: string; en: string }; since: number; until: number | null }>;
    nextReviewAt: number | null;
    policyVersion: string;
  } | null;
  facts: Array<{
    id?: string | number;
    type: string;
    source: string;
    eventTime: number | string;
    validUntil?: number | string | null;
  }>;
}

const DOC_TYPES: Array<[number, string, string]> = [
  [10, '居民身份证', 'Resident ID card'],
  [14, '港澳居民来往内地通行证', 'HK/Macao permit'],
  [15, '台湾居民来往大陆通行证', 'Taiwan permit'],
  [20, '护照', 'Passport'],
  [34, '外国人永久居留身份证', 'Foreigner permanent residence'],
  [99, '其他', 'Other'],
];

export function Lookup(props: { session: Session }) {
  const { t } = useLang();
  const [docType, setDocType] = useState(10);
  const [docNumber, setDocNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<PersonView | null>(null);

  const search = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setView(null);
    try {
      const r = await api<{ id: number }>('/v1/persons/lookup', {
        token: props.session.token,
        body: { docType, docNumber: docNumber.trim().toUpperCase() },
      });
      if (!r.ok)
        return setError(
          r.status === 404 ? t('本辖区内查无此人', 'No such person in your region') : r.message,
        );
      const p = await loadPerson(props.session, r.data.id);
      if (p.error) return setError(p.error);
      setView(p.view ?? null);
    } catch (err) {
      setError(String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="h-lookup">
      <h2 id="h-lookup">{t('人员查询', 'Person lookup')}</h2>
      <p class="small muted">
        {t(
          `仅限本辖区（${regionText(props.session).zh}），每次查询均记入审计日志。`,
          `Only inside your region (${regionText(props.session).en}); every read is audited.`,
        )}
      </p>
      <form class="card lookup-form" onSubmit={(e) => void search(e)}>
        <label for="doc-type">{t('证件类型', 'Document type')}</label>
        <select id="doc-type" value={docType} onChange={(e) => setDocType(Number(e.currentTarget.value))}>
          {DOC_TYPES.map(([v, zh, en]) => (
            <option key={v} value={v}>
              {t(zh, en)}
            </option>
          ))}
        </select>
        <label for="doc-number">{t('证件号码', 'Document number')}</label>
        <input
          id="doc-number"
          value={docNumber}
          autoComplete="off"
          onInput={(e) => setDocNumber(e.currentTarget.value)}
        />
        <p>
          <button type="submit" disabled={busy || !docNumber.trim()}>
            {t('查询', 'Look up')}
          </button>
        </p>
        {error && (
          <div class="error" role="alert">
            {error}
          </div>
        )}
      </form>
      {view && <PersonCard view={view} />}
    </section>
  );
}

/** One person as an officer sees it: masked identity, colour with reasons, facts. */
export function PersonCard(props: { view: PersonView }) {
  const { t, tx } = useLang();
  const view = props.view;
  return (
    <div class="card" data-testid="person">
      <h3>
        {view.person.maskedName} {view.status && <ColourBadge c5={view.status.colour5} />}
      </h3>
      <p>
        {view.person.docMasked} · {view.person.regionName ?? view.person.regionCode ?? ''}
      </p>
      {view.status && (
        <>
          <h3>{t('判定依据', 'Reasons')}</h3>
          {view.status.reasons.length === 0 ? (
            <p>{t('无', 'None')}</p>
          ) : (
            <ul>
              {view.status.reasons.map((r) => (
                <li key={r.rule}>
                  {tx(r.label)} · {t('自', 'since')} {fmtTime(r.since, false)}
                  {r.until ? ` · ${t('至', 'until')} ${fmtTime(r.until, false)}` : ''}
                </li>
              ))}
            </ul>
          )}
          <p class="small muted">
            {t('策略版本 ', 'Policy ')}
            {view.status.policyVersion}
          </p>
        </>
      )}
      <h3>{t('事实记录', 'Facts')}</h3>
      <table>
        <thead>
          <tr>
            <th>{t('类型', 'Type')}</th>
            <th>{t('来源', 'Source')}</th>
            <th>{t('时间', 'When')}</th>
          </tr>
        </thead>
        <tbody>
          {view.facts.map((f, i) => (
            <tr key={String(f.id ?? i)}>
              <td>{f.type}</td>
              <td>{f.source}</td>
              <td>{fmtTime(f.eventTime, false)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Reads a person (audited on the server); undefined with a message when not allowed. */
export async function loadPerson(
  session: Session,
  id: number,
): Promise<{ view?: PersonView; error?: string }> {
  const p = await api<PersonView>(`/v1/persons/${id}`, { token: session.token });
  return p.ok ? { view: p.data } : { error: p.message };
}
