import { NavLink, Outlet } from 'react-router';
import { useAdminLiveUpdates } from '../../components/admin/live.js';
import '../../admin.css';

/** The admin section's views, in the order of the side navigation. */
const VIEWS: readonly { to: string; label: string }[] = [
  { to: '/admin', label: 'Overview' },
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/workers', label: 'Workers & pools' },
  { to: '/admin/queues', label: 'Queues & jobs' },
  { to: '/admin/previews', label: 'Previews' },
  { to: '/admin/ai', label: 'AI' },
  { to: '/admin/syncs', label: 'Syncs' },
  { to: '/admin/rate-limits', label: 'Rate limits' },
  { to: '/admin/autoscaling', label: 'Autoscaling' },
  { to: '/admin/audit', label: 'Audit' },
  { to: '/admin/health', label: 'Health history' },
];

/** The frame of /admin: the section's navigation beside the view. */
export function AdminLayout() {
  useAdminLiveUpdates();
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label="Admin">
        <p className="admin-nav-title">Administration</p>
        <ul>
          {VIEWS.map((v) => (
            <li key={v.to}>
              <NavLink to={v.to} end={v.to === '/admin'}>
                {v.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-view">
        <Outlet />
      </div>
    </div>
  );
}
