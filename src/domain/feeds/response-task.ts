/**
 * Community response tasks (社区响应): opened when someone enters a key population, worked by the
 * officers of the person's home region: open → contacted → tested → closed, never back.
 */
export const TASK_STATES = ['open', 'contacted', 'tested', 'closed'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface ResponseTask {
  id: number;
  personId: number;
  regionCode: string;
  list: string;
  category: string;
  tier: string;
  state: TaskState;
  note: string | null;
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}
