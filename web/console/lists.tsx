/**
 * Key populations (重点人群) and response tasks (处置任务) with filters. The server limits both to
 * the officer's region; these routes come from the data-sources work and may be absent, in which
 * case the tab shows an empty state.
 */
import { useState } from 'preact/hooks';
import { fmtTime, useLang } from '../shared/i18n.ts';
import { Empty } from '../shared/ui.tsx';
import { listOf, useGet, type Session } from './session.ts';

type Row = Record<string, unknown>;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return fmtTime(v, false);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function query(filters: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ''));
  const s = q.toString();
  return s ? `?${s}` : '';
}

interface Column {
  keys: string[];
  zh: string;
  en: string;
}

function Table(props: { rows: Row[]; columns: Column[]; testid: string }) {
  const { t } = useLang();
  return (
    <div class="table-wrap">
      <table data-testid={props.testid}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.en}>{t(c.zh, c.en)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r, i) => (
            <tr key={String(r.id ?? i)}>
              {props.columns.map((c) => (
                <td key={c.en}>{cell(c.keys.map((k) => r[k]).find((v) => v !== undefined))}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Select(props: { id: string; label: string; value: string; options: Array<[string, string]>; onChange: (v: string) => void }) {
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

export function KeyPopulations(props: { session: Session }) {
  const { t } = useLang();
  const [tier, setTier] = useState('');
  const [category, setCategory] = useState('');
  const [active, setActive] = useState('true');
  const [res] = useGet<unknown>(`/v1/key-populations${query({ tier, category, active })}`, props.session);
  const rows = res.state === 'ok' ? listOf<Row>(res.data) : [];
  return (
    <section aria-labelledby="h-kp">
      <h2 id="h-kp">{t('重点人群', 'Key populations')}</h2>
      <div class="filters">
        <Select id="kp-tier" label={t('等级', 'Tier')} value={tier} onChange={setTier} options={[['', t('全部', 'All')], ['high', t('高', 'High')], ['medium', t('中', 'Medium')]]} />
        <Select
          id="kp-cat"
          label={t('类别', 'Category')}
          value={category}
          onChange={setCategory}
          options={[
            ['', t('全部', 'All')],
            ['case', t('病例', 'Case')],
            ['close_contact', t('密接', 'Close contact')],
            ['secondary_contact', t('次密接', 'Secondary contact')],
            ['companion', t('时空伴随', 'Companion')],
            ['inbound', t('入境/外省来返', 'Inbound')],
          ]}
        />
        <Select id="kp-active" label={t('状态', 'State')} value={active} onChange={setActive} options={[['true', t('在管', 'Active')], ['false', t('已解除', 'Released')], ['', t('全部', 'All')]]} />
      </div>
      {res.state === 'loading' && <p class="muted">{t('加载中…', 'Loading…')}</p>}
      {res.state === 'absent' && <Empty>{t('重点人群服务暂未开通', 'Key populations are not available on this server yet')}</Empty>}
      {res.state === 'error' && <div class="error">{res.message}</div>}
      {res.state === 'ok' &&
        (rows.length === 0 ? (
          <Empty>{t('没有符合条件的人员', 'Nobody matches these filters')}</Empty>
        ) : (
          <Table
            testid="kp-table"
            rows={rows}
            columns={[
              { keys: ['maskedName', 'name'], zh: '姓名', en: 'Name' },
              { keys: ['category', 'list', 'kind'], zh: '类别', en: 'Category' },
              { keys: ['tier'], zh: '等级', en: 'Tier' },
              { keys: ['source'], zh: '来源', en: 'Source' },
              { keys: ['regionName', 'regionCode'], zh: '地区', en: 'Region' },
              { keys: ['since', 'enteredAt', 'createdAt'], zh: '列入', en: 'Since' },
            ]}
          />
        ))}
    </section>
  );
}

export function Tasks(props: { session: Session }) {
  const { t } = useLang();
  const [status, setStatus] = useState('open');
  const [res] = useGet<unknown>(`/v1/tasks${query({ status })}`, props.session);
  const rows = res.state === 'ok' ? listOf<Row>(res.data, ['items', 'rows', 'tasks']) : [];
  return (
    <section aria-labelledby="h-tasks">
      <h2 id="h-tasks">{t('处置任务', 'Response tasks')}</h2>
      <div class="filters">
        <Select
          id="task-status"
          label={t('状态', 'Status')}
          value={status}
          onChange={setStatus}
          options={[
            ['', t('全部', 'All')],
            ['open', t('待处置', 'Open')],
            ['contacted', t('已联系', 'Contacted')],
            ['tested', t('已检测', 'Tested')],
            ['closed', t('已关闭', 'Closed')],
          ]}
        />
      </div>
      {res.state === 'loading' && <p class="muted">{t('加载中…', 'Loading…')}</p>}
      {res.state === 'absent' && <Empty>{t('任务服务暂未开通', 'Response tasks are not available on this server yet')}</Empty>}
      {res.state === 'error' && <div class="error">{res.message}</div>}
      {res.state === 'ok' &&
        (rows.length === 0 ? (
          <Empty>{t('没有任务', 'No tasks')}</Empty>
        ) : (
          <Table
            testid="task-table"
            rows={rows}
            columns={[
              { keys: ['id'], zh: '编号', en: 'No.' },
              { keys: ['maskedName', 'personName'], zh: '人员', en: 'Person' },
              { keys: ['reason', 'category', 'kind'], zh: '原因', en: 'Reason' },
              { keys: ['status', 'state'], zh: '状态', en: 'Status' },
              { keys: ['communityName', 'regionName', 'communityCode', 'regionCode'], zh: '社区', en: 'Community' },
              { keys: ['openedAt', 'createdAt'], zh: '创建', en: 'Opened' },
            ]}
          />
        ))}
    </section>
  );
}
