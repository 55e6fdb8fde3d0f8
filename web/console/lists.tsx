/**
 * Key populations (重点人群) and response tasks (处置任务) of the officer's region. The server
 * (GET /v1/response-tasks) opens one task per person entering a key population and lists only
 * the officer's region; tiers and categories are filtered here. Task states move
 * open → contacted → tested → closed (PATCH). Reading a person is audited on the server.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../shared/api.ts';
import { fmtTime, useLang, type Text } from '../shared/i18n.ts';
import { Empty } from '../shared/ui.tsx';
import { loadPerson, PersonCard, type PersonView } from './lookup.tsx';
import { listOf, useGet, type Session } from './session.ts';

interface Task {
  id: number;
  personId: number;
  regionCode: string;
  list: string;
  category: string;
  tier: string;
  state: string;
  note: string | null;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

const CATEGORIES: Record<string, Text> = {
  case: { zh: '病例', en: 'Case' },
  close_contact: { zh: '密接', en: 'Close contact' },
  secondary_contact: { zh: '次密接', en: 'Secondary contact' },
  companion: { zh: '时空伴随', en: 'Companion' },
  inbound: { zh: '外来返入', en: 'Inbound' },
};
const TIERS: Record<string, Text> = { high: { zh: '高', en: 'High' }, medium: { zh: '中', en: 'Medium' } };
const STATES: Record<string, Text> = {
  open: { zh: '待处置', en: 'Open' },
  contacted: { zh: '已联系', en: 'Contacted' },
  tested: { zh: '已检测', en: 'Tested' },
  closed: { zh: '已关闭', en: 'Closed' },
};
const NEXT: Record<string, string> = { open: 'contacted', contacted: 'tested', tested: 'closed' };

function Select(props: {
  id: string;
  label: string;
  value: string;
  options: Array<[string, string]>;
  onChange: (v: string) => void;
}) {
  return (
    <div class="filter">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

function useTaskFilters() {
  const { t, tx } = useLang();
  const [tier, setTier] = useState('');
  const [category, setCategory] = useState('');
  const controls = (
    <>
      <Select
        id="f-tier"
        label={t('等级', 'Tier')}
        value={tier}
        onChange={setTier}
        options={[
          ['', t('全部', 'All')],
          ...Object.entries(TIERS).map(([k, v]) => [k, tx(v)] as [string, string]),
        ]}
      />
      <Select
        id="f-cat"
        label={t('类别', 'Category')}
        value={category}
        onChange={setCategory}
        options={[
          ['', t('全部', 'All')],
          ...Object.entries(CATEGORIES).map(([k, v]) => [k, tx(v)] as [string, string]),
        ]}
      />
    </>
  );
  const keep = (x: Task) => (!tier || x.tier === tier) && (!category || x.category === category);
  return { controls, keep };
}

function PersonPanel(props: { session: Session; personId: number | null }) {
  const { t } = useLang();
  const [state, setState] = useState<{ id: number; view?: PersonView; error?: string } | null>(null);
  if (props.personId !== null && state?.id !== props.personId) {
    const id = props.personId;
    setState({ id });
    void loadPerson(props.session, id).then((r) => setState({ id, ...r }));
  }
  if (!state || props.personId === null) return null;
  if (state.error) return <div class="error">{state.error}</div>;
  return state.view ? <PersonCard view={state.view} /> : <p class="muted">{t('加载中…', 'Loading…')}</p>;
}

function TaskTable(props: {
  session: Session;
  rows: Task[];
  onChanged?: () => void;
  onPerson: (id: number) => void;
}) {
  const { t, tx } = useLang();
  const [err, setErr] = useState<string | null>(null);
  const advance = async (task: Task) => {
    const next = NEXT[task.state];
    if (!next) return;
    const r = await api(`/v1/response-tasks/${task.id}`, {
      method: 'PATCH',
      token: props.session.token,
      body: { state: next },
    });
    if (!r.ok) setErr(r.message);
    else props.onChanged?.();
  };
  return (
    <div class="table-wrap">
      {err && <div class="error">{err}</div>}
      <table data-testid="task-table">
        <thead>
          <tr>
            <th>{t('编号', 'No.')}</th>
            <th>{t('人员', 'Person')}</th>
            <th>{t('类别', 'Category')}</th>
            <th>{t('等级', 'Tier')}</th>
            <th>{t('名单', 'List')}</th>
            <th>{t('地区', 'Region')}</th>
            <th>{t('状态', 'State')}</th>
            <th>{t('列入', 'Since')}</th>
            {props.onChanged && <th />}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((x) => (
            <tr key={x.id}>
              <td>{x.id}</td>
              <td>
                <button type="button" class="secondary" onClick={() => props.onPerson(x.personId)}>
                  {t('查看', 'View')} #{x.personId}
                </button>
              </td>
              <td>{tx(CATEGORIES[x.category] ?? { zh: x.category, en: x.category })}</td>
              <td>{tx(TIERS[x.tier] ?? { zh: x.tier, en: x.tier })}</td>
              <td>{x.list}</td>
              <td>{x.regionCode}</td>
              <td>{tx(STATES[x.state] ?? { zh: x.state, en: x.state })}</td>
              <td>{fmtTime(x.createdAt, false)}</td>
              {props.onChanged && (
                <td>
                  {NEXT[x.state] && (
                    <button type="button" onClick={() => void advance(x)}>
                      → {tx(STATES[NEXT[x.state]!]!)}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Key populations: who is on a list in my region, counted by category and tier. */
export function KeyPopulations(props: { session: Session }) {
  const { t, tx } = useLang();
  const [res] = useGet<unknown>('/v1/response-tasks?limit=500', props.session);
  const { controls, keep } = useTaskFilters();
  const [person, setPerson] = useState<number | null>(null);
  const all = res.state === 'ok' ? listOf<Task>(res.data, ['tasks']) : [];
  const active = all.filter((x) => x.state !== 'closed');
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const x of active) m.set(`${x.category}|${x.tier}`, (m.get(`${x.category}|${x.tier}`) ?? 0) + 1);
    return m;
  }, [res]);
  const rows = active.filter(keep);
  return (
    <section aria-labelledby="h-kp">
      <h2 id="h-kp">{t('重点人群', 'Key populations')}</h2>
      {res.state === 'loading' && <p class="muted">{t('加载中…', 'Loading…')}</p>}
      {res.state === 'absent' && (
        <Empty>{t('重点人群服务暂未开通', 'Key populations are not available on this server yet')}</Empty>
      )}
      {res.state === 'error' && <div class="error">{res.message}</div>}
      {res.state === 'ok' && (
        <>
          <div class="tiles" data-testid="kp-counts">
            {Object.entries(CATEGORIES).map(([k, v]) => (
              <div class="tile" key={k} style={{ borderColor: '#1f2937' }}>
                <div class="tile-label">{tx(v)}</div>
                <div class="tile-value">
                  {(counts.get(`${k}|high`) ?? 0) + (counts.get(`${k}|medium`) ?? 0)}
                </div>
                <div class="small muted">
                  {t('高', 'high')} {counts.get(`${k}|high`) ?? 0} · {t('中', 'medium')}{' '}
                  {counts.get(`${k}|medium`) ?? 0}
                </div>
              </div>
            ))}
          </div>
          <div class="filters">{controls}</div>
          {rows.length === 0 ? (
            <Empty>{t('没有符合条件的人员', 'Nobody matches these filters')}</Empty>
          ) : (
            <TaskTable session={props.session} rows={rows} onPerson={setPerson} />
          )}
          <PersonPanel session={props.session} personId={person} />
        </>
      )}
    </section>
  );
}

/** Response tasks of my region by state, with the next step one click away. */
export function Tasks(props: { session: Session }) {
  const { t, tx } = useLang();
  const [state, setState] = useState('open');
  const [res, reload] = useGet<unknown>(
    `/v1/response-tasks?limit=500${state ? `&state=${state}` : ''}`,
    props.session,
  );
  const { controls, keep } = useTaskFilters();
  const [person, setPerson] = useState<number | null>(null);
  const rows = res.state === 'ok' ? listOf<Task>(res.data, ['tasks']).filter(keep) : [];
  return (
    <section aria-labelledby="h-tasks">
      <h2 id="h-tasks">{t('处置任务', 'Response tasks')}</h2>
      <div class="filters">
        <Select
          id="task-state"
          label={t('状态', 'State')}
          value={state}
          onChange={setState}
          options={[
            ['', t('全部', 'All')],
            ...Object.entries(STATES).map(([k, v]) => [k, tx(v)] as [string, string]),
          ]}
        />
        {controls}
      </div>
      {res.state === 'loading' && <p class="muted">{t('加载中…', 'Loading…')}</p>}
      {res.state === 'absent' && (
        <Empty>{t('任务服务暂未开通', 'Response tasks are not available on this server yet')}</Empty>
      )}
      {res.state === 'error' && <div class="error">{res.message}</div>}
      {res.state === 'ok' &&
        (rows.length === 0 ? (
          <Empty>{t('没有任务', 'No tasks')}</Empty>
        ) : (
          <TaskTable session={props.session} rows={rows} onChanged={reload} onPerson={setPerson} />
        ))}
      <PersonPanel session={props.session} personId={person} />
    </section>
  );
}
