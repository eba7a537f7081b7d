import { useState, type FormEvent } from 'react';
import { useParams, useSearchParams } from 'react-router';
import type { Member, Task, TaskStatus } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { ProjectNav } from '../components/ProjectNav.js';
import { useTitle } from '../components/Title.js';
import { formatWhen } from '../lib/format.js';
import { useMembersQuery } from '../queries/members.js';
import { useProjectQuery } from '../queries/projects.js';
import { TASK_STATUSES, useCreateTaskMutation, useTasksQuery, useUpdateTaskMutation } from '../queries/tasks.js';
import { useSession } from '../session/session.js';

/** Tasks shown at first and added by each "Show more": the API answers every task of the filter at once. */
const TASKS_PER_PAGE = 30;
const TITLE_MAX = 200;
const DESCRIPTION_MAX = 20_000;

function isTaskStatus(value: string | null): value is TaskStatus {
  return TASK_STATUSES.some((s) => s.value === value);
}

function memberName(m: Member): string {
  return m.display_name || m.email;
}

/**
 * /projects/:id/tasks?status=&assignee=: the project's tasks, newest first, filtered by status and assignee (in the
 * URL); members create tasks, change their status and assign them. Viewers only read.
 */
export function TasksPage() {
  const { projectId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const session = useSession();
  const me = session.status === 'signed_in' ? session.user.id : null;
  const statusParam = params.get('status');
  const status = isTaskStatus(statusParam) ? statusParam : null;
  const assigneeId = params.get('assignee') || null;
  const project = useProjectQuery(projectId);
  const members = useMembersQuery(projectId);
  const tasks = useTasksQuery(projectId, { status, assigneeId });
  const [shown, setShown] = useState(TASKS_PER_PAGE);
  useTitle(project.data ? `Tasks · ${project.data.name}` : 'Tasks');

  const canEdit = project.data !== undefined && project.data.role !== 'viewer';
  const memberList = members.data?.members ?? [];
  const setFilter = (key: 'status' | 'assignee', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
    setShown(TASKS_PER_PAGE);
  };

  if (project.isError) return <ErrorPanel error={project.error} />;
  const list = tasks.data?.tasks ?? [];

  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <h1>Tasks</h1>
      <ProjectNav projectId={projectId} />
      {canEdit && <NewTaskForm projectId={projectId} members={memberList} />}
      <form className="filters" aria-label="Filter tasks" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any status</option>
            {TASK_STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Assignee
          <select value={assigneeId ?? ''} onChange={(e) => setFilter('assignee', e.target.value)}>
            <option value="">Anyone</option>
            {me && <option value={me}>Me</option>}
            {memberList
              .filter((m) => m.user_id !== me)
              .map((m) => (
                <option key={m.user_id} value={m.user_id}>
                  {memberName(m)}
                </option>
              ))}
          </select>
        </label>
      </form>
      {members.isError && <ErrorPanel error={members.error} title="Could not load the members" />}
      {tasks.isPending && <p aria-live="polite">Loading tasks…</p>}
      {tasks.isError && <ErrorPanel error={tasks.error} />}
      {tasks.data && (
        <>
          <p className="muted small" aria-live="polite">
            {list.length === 0
              ? status || assigneeId
                ? 'No task matches these filters.'
                : 'No tasks yet.'
              : `${list.length} ${list.length === 1 ? 'task' : 'tasks'}${list.length > shown ? `, ${shown} shown` : ''}`}
          </p>
          {list.length > 0 && (
            <ul className="task-list" aria-label="Tasks, newest first" aria-busy={tasks.isFetching}>
              {list.slice(0, shown).map((t) => (
                <TaskRow key={t.task_id} task={t} projectId={projectId} members={memberList} canEdit={canEdit} />
              ))}
            </ul>
          )}
          {list.length > shown && (
            <p className="pager">
              <button type="button" onClick={() => setShown((n) => n + TASKS_PER_PAGE)}>
                Show {Math.min(TASKS_PER_PAGE, list.length - shown)} more tasks
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** The form that creates a task: a title (required), a description, an assignee; checked before it is sent. */
function NewTaskForm({ projectId, members }: { projectId: string; members: Member[] }) {
  const create = useCreateTaskMutation(projectId);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [assignee, setAssignee] = useState('');
  const [problem, setProblem] = useState<string>();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = title.trim();
    if (t === '') return setProblem('Give the task a title.');
    if (t.length > TITLE_MAX) return setProblem(`A title has at most ${TITLE_MAX} characters (this one ${t.length}).`);
    if (description.length > DESCRIPTION_MAX) {
      return setProblem(`A description has at most ${DESCRIPTION_MAX.toLocaleString()} characters.`);
    }
    setProblem(undefined);
    create.mutate(
      { title: t, ...(description.trim() && { description }), ...(assignee && { assignee_id: assignee }) },
      {
        onSuccess: () => {
          setTitle('');
          setDescription('');
          setAssignee('');
        },
      },
    );
  };

  return (
    <details className="new-task">
      <summary>New task</summary>
      <form className="stack" onSubmit={submit} noValidate aria-label="New task">
        <label>
          Title
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={TITLE_MAX + 50}
            aria-invalid={problem !== undefined && title.trim() === ''}
            aria-describedby={problem ? 'new-task-problem' : undefined}
            required
          />
        </label>
        <label>
          Description <span className="muted small">(optional)</span>
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
        </label>
        <label>
          Assignee
          <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">Nobody yet</option>
            {members.map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {memberName(m)}
              </option>
            ))}
          </select>
        </label>
        {problem && (
          <p id="new-task-problem" className="field-error" role="alert">
            {problem}
          </p>
        )}
        {create.isError && <ErrorPanel error={create.error} title="Could not create the task" />}
        <div>
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create task'}
          </button>
        </div>
      </form>
    </details>
  );
}

/** One task: its title and description as text, who has it, and its status and assignee to change. */
function TaskRow({
  task,
  projectId,
  members,
  canEdit,
}: {
  task: Task;
  projectId: string;
  members: Member[];
  canEdit: boolean;
}) {
  const update = useUpdateTaskMutation(projectId);
  // While a change is being saved, its controls show the new value.
  const pending = update.isPending ? update.variables.body : undefined;
  const shownStatus = pending?.status ?? task.status;
  const shownAssignee = pending && 'assignee_id' in pending ? (pending.assignee_id ?? '') : (task.assignee_id ?? '');
  const assignee = members.find((m) => m.user_id === task.assignee_id);
  const statusLabel = TASK_STATUSES.find((s) => s.value === task.status)?.label ?? task.status;
  return (
    <li className={`task status-${task.status}`}>
      <div className="task-main">
        <h2 className="task-title">{task.title}</h2>
        {task.description && <p className="task-description">{task.description}</p>}
        <p className="muted small">
          {statusLabel} ·{' '}
          {task.assignee_id ? `assigned to ${assignee ? memberName(assignee) : 'a former member'}` : 'unassigned'} ·
          created <time dateTime={task.created_at}>{formatWhen(task.created_at)}</time>
          {task.file && (
            <>
              {' · '}
              <code>
                {task.file.path}
                {task.file.line ? `:${task.file.line}` : ''}
              </code>
            </>
          )}
        </p>
      </div>
      {canEdit && (
        <div className="task-controls">
          <label>
            Status<span className="visually-hidden"> of {task.title}</span>
            <select
              value={shownStatus}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ taskId: task.task_id, body: { status: e.target.value as TaskStatus } })}
            >
              {TASK_STATUSES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Assignee<span className="visually-hidden"> of {task.title}</span>
            <select
              value={shownAssignee}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ taskId: task.task_id, body: { assignee_id: e.target.value || null } })}
            >
              <option value="">Nobody</option>
              {task.assignee_id && !assignee && <option value={task.assignee_id}>A former member</option>}
              {members.map((m) => (
                <option key={m.user_id} value={m.user_id}>
                  {memberName(m)}
                </option>
              ))}
            </select>
          </label>
          {update.isPending && (
            <span className="muted small" aria-live="polite">
              Saving…
            </span>
          )}
        </div>
      )}
      {update.isError && <ErrorPanel error={update.error} title={`Could not change “${task.title}”`} />}
    </li>
  );
}
