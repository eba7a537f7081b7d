import type {
  AddMemberBody,
  CreateProjectBody,
  Member,
  MemberAdded,
  MemberList,
  Project,
  ProjectList,
  UpdateMemberBody,
  UpdateProjectBody,
} from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

/** A page of members: `limit` 1 to 200, `cursor` the previous page's `next_cursor`. */
export interface ListMembersParams {
  limit: number;
  cursor?: string;
}

const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;

/** /projects: the projects the caller is a member of. */
export class ProjectsApi {
  constructor(private readonly transport: Transport) {}

  /** The projects the caller is a member of. */
  list(opts?: RequestOptions): Promise<ProjectList> {
    return this.transport.json<ProjectList>({ method: 'GET', path: '/projects' }, opts);
  }

  /** Creates a project; the caller becomes its owner. */
  create(body: CreateProjectBody, opts?: RequestOptions): Promise<Project> {
    return this.transport.json<Project>({ method: 'POST', path: '/projects', body }, opts);
  }

  /** One project (not_found when it does not exist or the caller is not a member). */
  get(id: string, opts?: RequestOptions): Promise<Project> {
    return this.transport.json<Project>({ method: 'GET', path: projectPath(id) }, opts);
  }

  /** Changes a project (admin or owner). */
  update(id: string, body: UpdateProjectBody, opts?: RequestOptions): Promise<Project> {
    return this.transport.json<Project>({ method: 'PATCH', path: projectPath(id), body }, opts);
  }

  /** Deletes a project (owner). */
  async delete(id: string, opts?: RequestOptions): Promise<void> {
    await this.transport.json<undefined>({ method: 'DELETE', path: projectPath(id) }, opts);
  }
}

/** /projects/{id}/members: who may see and change a project. */
export class MembersApi {
  constructor(private readonly transport: Transport) {}

  /** Every member of a project, in one answer. */
  list(projectId: string, opts?: RequestOptions): Promise<MemberList> {
    return this.transport.json<MemberList>({ method: 'GET', path: `${projectPath(projectId)}/members` }, opts);
  }

  /** A page of a project's members in the order they were added; pass `next_cursor` as `cursor` for the next. */
  page(projectId: string, params: ListMembersParams, opts?: RequestOptions): Promise<MemberList> {
    return this.transport.json<MemberList>(
      { method: 'GET', path: `${projectPath(projectId)}/members`, query: { ...params } },
      opts,
    );
  }

  /** Adds an existing user, by email, with a role (admin or owner only). */
  add(projectId: string, body: AddMemberBody, opts?: RequestOptions): Promise<MemberAdded> {
    return this.transport.json<MemberAdded>({ method: 'POST', path: `${projectPath(projectId)}/members`, body }, opts);
  }

  /** Changes a member's role to admin, member or viewer (admin or owner; the owner's own role cannot change). */
  update(projectId: string, userId: string, body: UpdateMemberBody, opts?: RequestOptions): Promise<Member> {
    const path = `${projectPath(projectId)}/members/${encodeURIComponent(userId)}`;
    return this.transport.json<Member>({ method: 'PATCH', path, body }, opts);
  }

  /** Removes a member (admin or owner), or leaves the project when `userId` is the caller. */
  async remove(projectId: string, userId: string, opts?: RequestOptions): Promise<void> {
    await this.transport.json<undefined>(
      { method: 'DELETE', path: `${projectPath(projectId)}/members/${encodeURIComponent(userId)}` },
      opts,
    );
  }
}
