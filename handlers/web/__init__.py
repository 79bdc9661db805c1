"""The web as one platform of the runtime: a portal where units hand in files of any size, the
Office's dashboard, and sign-in by one-time links the bot sends.

Starlette, served by uvicorn in the bot's own event loop (`platform.WebPlatform`); pages are
rendered on the server with Jinja2 (`pages`), in Vietnamese, with every asset served from
`static/` (offices may have no internet). Modules: `context` (what the pages are given and who
is signed in), `app` (the routes and middleware), `signin` (links, sessions, CSRF),
`portal` (a unit's reports and uploads), `dashboard` (the Office), `uploads` (a request body
streamed to disk), `guide` (the user guide).
"""
