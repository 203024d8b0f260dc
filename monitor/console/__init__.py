"""`slamon console`: the web console for procurement, on-call and admins.

Server-rendered pages (Starlette + Jinja2, plain HTML forms, no JavaScript build) over the
same store as every other command. The rings are those of the CLI:

- `app.py` builds the application: middleware, routes, error pages, security headers;
- `settings.py` reads the secret and the reverse-proxy mode from the environment;
- `auth.py` signs people in (local passwords or trusted proxy headers), keeps sessions,
  rate-limits sign-ins and checks CSRF tokens; `permissions.py` is the ONE place that says
  which role may do what (and see money);
- `pages_*.py` are thin route handlers: read domain objects through the store, check a
  permission, render a template; templates never compute money (figures arrive formatted);
- `audit.py` writes every action, refusal and sign-in to the audit log.

See docs/console.md for roles, deployment behind a proxy, and what each page shows.
"""
