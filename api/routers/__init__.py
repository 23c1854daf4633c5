"""HTTP routers, one module per feature; `ROUTERS` lists the modules `create_app` includes.

Each listed module defines `router: fastapi.APIRouter`. Add a feature by adding its module name.
"""

ROUTERS = [
    "health",
    "presence",
    "auth",
    "member_import",
    "members",
    "qualifications",
    "divisions",
    "options",
    "tags",
    "settings",
    "badges",
    "visitors",
    "checkins",
    "audit",
    "lockup",
    "dds",
    "alerts",
    "schedules",
    "duty_watch",
    "qualification_rules",
    "training_calendar",
    "report_settings",
    "bmq",
    "reports",
]
