import { Link, useLocation } from 'react-router';
import { useTitle } from '../components/Title.js';

/** Any URL the app does not know. */
export function NotFoundPage() {
  useTitle('Page not found');
  const location = useLocation();
  return (
    <section className="narrow">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{location.pathname}</code>. It may have moved, or the link may be mistyped.
      </p>
      <p>
        <Link to="/projects">Go to your projects</Link>
      </p>
    </section>
  );
}
