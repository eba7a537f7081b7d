import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateTaskBody, TaskStatus, UpdateTaskBody } from '@hivesync/sdk';
import { useClient } from '../session/session.js';

/** A task's statuses in order, with what each reads as. */
export const TASK_STATUSES: readonly { value: TaskStatus; label: string }[] = [
  { value: 'todo', label: 'To do' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
];

/** What the task list shows: one status or every one, and one assignee or anyone. */
export interface TaskFilter {
  status: TaskStatus | null;
  assigneeId: string | null;
}

/** Query keys of tasks; every key of a project's tasks starts with `taskKeys.project(id)`. */
export const taskKeys = {
  project: (projectId: string) => ['tasks', projectId] as const,
  list: (projectId: string, filter: TaskFilter) =>
    [...taskKeys.project(projectId), 'list', filter.status ?? 'any', filter.assigneeId ?? 'anyone'] as const,
};

/**
 * A project's tasks, newest first. GET /projects/{id}/tasks answers every matching task at once (it has no cursor):
 * the page shows them a slice at a time.
 */
export function useTasksQuery(projectId: string, filter: TaskFilter) {
  const client = useClient();
  return useQuery({
    queryKey: taskKeys.list(projectId, filter),
    queryFn: ({ signal }) =>
      client.tasks.list(
        projectId,
        {
          ...(filter.status && { status: filter.status }),
          ...(filter.assigneeId && { assignee_id: filter.assigneeId }),
        },
        { signal },
      ),
    placeholderData: (previous) => previous,
  });
}

/** Creates a task; the project's lists are fetched again (and awaited, so the form stays busy until they show it). */
export function useCreateTaskMutation(projectId: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTaskBody) => client.tasks.create(projectId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: taskKeys.project(projectId) }),
  });
}

/** Changes a task (status, assignee…); the project's lists are fetched again. */
export function useUpdateTaskMutation(projectId: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ taskId, body }: { taskId: string; body: UpdateTaskBody }) => client.tasks.update(taskId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: taskKeys.project(projectId) }),
  });
}
