/**
 * The default policy: docs/DESIGN.md §3's table as data. Every number lives here (or in the JSON copy,
 * `default-policy.json`, which a test keeps identical) so an operator can change it without code.
 */
import type { Condition, Policy, PolicyRule } from './policy.schema.ts';

const TWO_TESTS_24H_AFTER_EVENT: Condition = {
  kind: 'negativeTests',
  count: 2,
  minGapHours: 24,
  from: 'event',
};

const SEVEN_DAYS_SYMPTOM_FREE: Condition = { kind: 'symptomFree', days: 7, from: 'event' };

/** 三天两检 or 7 days symptom-free: the orange release shared by all orange rules. */
const ORANGE_UNTIL: PolicyRule['until'] = {
  anyOf: [{ allOf: [TWO_TESTS_24H_AFTER_EVENT] }, { allOf: [SEVEN_DAYS_SYMPTOM_FREE] }],
};
const ORANGE_RELEASE = {
  zh: '两次核酸阴性(间隔24小时)或连续7天无症状',
  en: 'two negative tests 24 h apart, or 7 days symptom-free',
};

/** 14 days after last exposure AND two negative tests 24 h apart after it. */
const RED_UNTIL: PolicyRule['until'] = {
  anyOf: [
    {
      allOf: [
        { kind: 'elapsed', days: 14, from: 'lastExposure' },
        { kind: 'negativeTests', count: 2, minGapHours: 24, from: 'lastExposure' },
      ],
    },
  ],
};
const RED_RELEASE = {
  zh: '满14天且两次核酸阴性(间隔24小时)',
  en: '14 days and two negative tests 24 h apart',
};

const AUTHORITY_ONLY: PolicyRule['until'] = { anyOf: [] };
const AUTHORITY_RELEASE = { zh: '由卫生健康部门解除', en: 'released by the health authority' };

export const DEFAULT_POLICY: Policy = {
  version: 'default-2026.1',
  scale: 5,
  lookbackDays: 14,
  feverThreshold: 37.3,
  respiratorySymptoms: ['fever', 'cough', 'sore_throat', 'shortness_of_breath', 'loss_of_smell_taste'],
  rules: [
    {
      id: 'purple.case',
      colour: 'purple',
      when: { factType: 'case', caseKinds: ['confirmed', 'suspected', 'asymptomatic'] },
      until: AUTHORITY_ONLY,
      label: { zh: '确诊病例、疑似病例或无症状感染者', en: 'confirmed, suspected or asymptomatic case' },
      release: AUTHORITY_RELEASE,
    },
    {
      id: 'purple.positive_test',
      colour: 'purple',
      when: { factType: 'test_result', testResult: 'positive', pooled: false },
      until: AUTHORITY_ONLY,
      label: { zh: '单管核酸检测阳性', en: 'positive individual test' },
      release: AUTHORITY_RELEASE,
    },
    {
      id: 'red.close_contact',
      colour: 'red',
      when: { factType: 'close_contact' },
      until: RED_UNTIL,
      label: { zh: '密切接触者', en: 'close contact' },
      release: RED_RELEASE,
    },
    {
      id: 'red.inbound_high_risk',
      colour: 'red',
      when: { factType: 'inbound_high_risk' },
      until: RED_UNTIL,
      label: { zh: '高风险地区来返人员', en: 'arrived from a high-risk area' },
      release: RED_RELEASE,
    },
    {
      id: 'orange.secondary_contact',
      colour: 'orange',
      when: { factType: 'secondary_contact' },
      until: ORANGE_UNTIL,
      label: { zh: '次密切接触者', en: 'secondary contact' },
      release: ORANGE_RELEASE,
    },
    {
      id: 'orange.companion',
      colour: 'orange',
      when: { factType: 'companion' },
      until: ORANGE_UNTIL,
      label: { zh: '时空伴随者', en: 'spatio-temporal companion' },
      release: ORANGE_RELEASE,
    },
    {
      id: 'orange.medium_risk_stay',
      colour: 'orange',
      when: { factType: 'medium_risk_stay', withinLookback: true },
      until: ORANGE_UNTIL,
      label: { zh: '14天内到过中风险地区', en: 'stayed in a medium-risk area in the last 14 days' },
      release: ORANGE_RELEASE,
    },
    {
      id: 'orange.symptoms',
      colour: 'orange',
      when: { factType: 'declaration', symptomatic: true },
      until: ORANGE_UNTIL,
      label: { zh: '申报发热(≥37.3℃)或呼吸道症状', en: 'declared fever (≥ 37.3 °C) or respiratory symptoms' },
      release: ORANGE_RELEASE,
    },
    {
      id: 'orange.pooled_positive',
      colour: 'orange',
      when: { factType: 'test_result', testResult: 'positive', pooled: true },
      until: {
        anyOf: [
          ...ORANGE_UNTIL.anyOf,
          // A pooled tube is positive for the tube, not the person: one individual retest clears it.
          {
            allOf: [{ kind: 'negativeTests', count: 1, minGapHours: 0, from: 'event', individualOnly: true }],
          },
        ],
      },
      label: { zh: '混管核酸阳性', en: 'positive pooled test' },
      release: {
        zh: '单管复核阴性,或两次核酸阴性(间隔24小时),或连续7天无症状',
        en: 'a negative individual retest, two negative tests 24 h apart, or 7 days symptom-free',
      },
    },
    {
      id: 'yellow.city_with_cases_stay',
      colour: 'yellow',
      when: { factType: 'city_with_cases_stay', withinLookback: true },
      until: { anyOf: [{ allOf: [{ kind: 'negativeTests', count: 1, minGapHours: 0, from: 'event' }] }] },
      label: { zh: '14天内到过有病例的城市', en: 'stayed in a city with cases in the last 14 days' },
      release: { zh: '到达后一次核酸阴性', en: 'a negative test after the stay' },
    },
    {
      id: 'yellow.key_occupation_overdue',
      colour: 'yellow',
      when: { factType: 'key_occupation' },
      until: { anyOf: [{ allOf: [{ kind: 'recentNegativeTest', withinHours: 72 }] }] },
      label: { zh: '重点职业人员核酸检测超期', en: 'key occupation, test overdue' },
      release: { zh: '规定间隔内的核酸阴性', en: 'a negative test within the required interval' },
    },
  ],
  correction: {
    label: { zh: '人工纠错', en: 'officer correction' },
    release: { zh: '纠错到期', en: 'the correction expires' },
    maxDays: 14,
  },
  codes: { maxColourAgeHours: 24 },
  sources: {
    stayLevels: { high: 'inbound_high_risk', medium: 'medium_risk_stay', low: null },
    tripLevels: { high: 'inbound_high_risk', medium: 'medium_risk_stay', low: null },
    tripMatch: 'county',
    coTravellers: {
      windowDays: 4,
      sameFlight: 'close_contact',
      sameCarriage: 'close_contact',
      sameTrainOtherCarriage: 'secondary_contact',
    },
    codePositions: {
      factType: 'companion',
      radiusM: 800,
      thresholdSeconds: 600,
      presenceGapSeconds: 1800,
      windowDays: 4,
    },
  },
};
