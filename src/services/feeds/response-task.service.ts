/**
 * Community response tasks (社区响应): opened when someone enters a key population, worked by the
 * officers of the person's home region: open → contacted → tested → closed. An officer sees and
 * moves only tasks whose region lies under their admin-code prefix; every move is audited.
 */
import { TASK_STATES, type ResponseTask, type TaskState } from '../../domain/feeds/response-task.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { ResponseTaskStore } from '../../ports/feed-store.port.ts';
import type { UnitOfWork } from '../../ports/unit-of-work.port.ts';
import { AppError } from '../app-error.ts';
import type { AuditService } from '../audit.service.ts';

export class ResponseTaskService {
  constructor(
    private readonly repo: ResponseTaskStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** a move and its audit entry commit together or not at all */
    private readonly uow: UnitOfWork,
  ) {}

  /** Tasks in the officer's region, newest first. */
  async list(
    regionPrefix: string,
    o: { state?: TaskState; limit?: number; beforeId?: number } = {},
  ): Promise<ResponseTask[]> {
    return this.repo.listTasks(regionPrefix, {
      limit: Math.min(o.limit ?? 100, 500),
      ...(o.state ? { state: o.state } : {}),
      ...(o.beforeId ? { beforeId: o.beforeId } : {}),
    });
  }

  /** Moves a task forward (never back); outside the officer's region it does not exist. */
  async move(
    id: number,
    to: TaskState,
    regionPrefix: string,
    actor: string,
    note?: string,
  ): Promise<ResponseTask> {
    const t = await this.repo.task(id);
    if (!t || !t.regionCode.startsWith(regionPrefix))
      throw new AppError('TASK_NOT_FOUND', 404, 'no such task in your region');
    if (TASK_STATES.indexOf(to) <= TASK_STATES.indexOf(t.state)) {
      throw new AppError(
        'TASK_BAD_TRANSITION',
        409,
        `a task in state ${t.state} cannot go to ${to} (open → contacted → tested → closed)`,
      );
    }
    return this.uow.run(async (s) => {
      const moved = await s.tasks.moveTask(id, t.state, to, note ?? null, actor, this.clock.now());
      if (!moved) throw new AppError('TASK_CHANGED', 409, 'the task was changed meanwhile; reload it');
      await this.audit.appendTo(s.audit, {
        actor,
        action: 'task.move',
        personId: t.personId,
        detail: { task: id, from: t.state, to },
      });
      return moved;
    });
  }
}
