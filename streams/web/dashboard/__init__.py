"""The SLA dashboards in the browser (issue 18, item 2): ``pages`` registers
``/dashboard`` (operator), ``/partners/{id}/dashboard`` (that partner), the login and
logout; ``session`` keeps the token in an HttpOnly, SameSite=Strict cookie, never in a
URL; ``render`` writes the HTML (server-side, no CDN, works offline) and ``chart`` the
inline SVG bar chart. The figures themselves are ``projections.dashboard``.

May import: ``projections``, ``streams.runtime``, ``streams.web.access``,
``streams.web.token_store``.
"""
