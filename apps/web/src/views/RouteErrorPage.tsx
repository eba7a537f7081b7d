import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { useTitle } from '../components/Title.js';
import { NotFoundPage } from './NotFoundPage.js';

/** What a page that threw shows instead of a blank screen. */
export function RouteErrorPage() {
  useTitle('Error');
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  return (
    <section className="narrow">
      <h1>This page failed</h1>
      <ErrorPanel error={error} />
      <p>
        <Link to="/projects">Go to your projects</Link> or reload the page.
      </p>
    </section>
  );
}
