import { AdminApi } from './admin.api.js';
import { AiApi } from './ai.api.js';
import { AuthApi } from './auth.api.js';
import { DevicesApi } from './devices.api.js';
import { EventsApi } from './events.api.js';
import { HealthApi } from './health.api.js';
import { LookupApi } from './lookup.api.js';
import { NotificationsApi } from './notifications.api.js';
import { PreviewsApi } from './previews.api.js';
import { MembersApi, ProjectsApi } from './projects.api.js';
import { RepoApi } from './repo.api.js';
import { TasksApi, ThreadsApi } from './threads.api.js';
import type { RouteKind } from './auto-mode.js';
import { Transport, type HiveSyncClientOptions, type HiveSyncTokens } from './transport.js';

/**
 * The typed HiveSync API client: one instance per server and session. Every failed call throws a HiveSyncError; an
 * expired access token is refreshed (once, shared by concurrent calls) when the client holds a refresh token.
 */
export class HiveSyncClient {
  readonly auth: AuthApi;
  readonly projects: ProjectsApi;
  readonly members: MembersApi;
  readonly repo: RepoApi;
  readonly notifications: NotificationsApi;
  /** Devices that receive push (Expo tokens, Web Push subscriptions). */
  readonly devices: DevicesApi;
  readonly events: EventsApi;
  readonly threads: ThreadsApi;
  readonly tasks: TasksApi;
  readonly previews: PreviewsApi;
  readonly ai: AiApi;
  readonly admin: AdminApi;
  readonly health: HealthApi;
  readonly lookup: LookupApi;
  private readonly transport: Transport;

  constructor(options: HiveSyncClientOptions) {
    this.transport = new Transport(options);
    this.auth = new AuthApi(this.transport);
    this.projects = new ProjectsApi(this.transport);
    this.members = new MembersApi(this.transport);
    this.repo = new RepoApi(this.transport);
    this.notifications = new NotificationsApi(this.transport);
    this.devices = new DevicesApi(this.transport);
    this.events = new EventsApi(this.transport);
    this.threads = new ThreadsApi(this.transport);
    this.tasks = new TasksApi(this.transport);
    this.previews = new PreviewsApi(this.transport);
    this.ai = new AiApi(this.transport);
    this.admin = new AdminApi(this.transport);
    this.health = new HealthApi(this.transport);
    this.lookup = new LookupApi(this.transport);
  }

  /** The server root this client talks to, without a trailing slash. */
  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /**
   * Which way the last request went: `direct`, or `agent` (through the local agent, Proxy Mode); undefined before
   * the first request. Always `direct` in the default mode.
   */
  get route(): RouteKind | undefined {
    return this.transport.route;
  }

  /** The tokens the client holds now. */
  get tokens(): HiveSyncTokens {
    return this.transport.tokens;
  }

  /** Replaces the tokens, such as ones another process stored; onTokens is not called. */
  setTokens(tokens: HiveSyncTokens): void {
    this.transport.setTokens(tokens);
  }
}
