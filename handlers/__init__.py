"""Slack listeners, one module per user flow. `register_all` wires every one of them into an App."""

from slack_bolt import App

from handlers import command, contract, escalation, home, incidents, notices, plan, points, reports, reviews
from handlers.router import Router


def register_all(app: App) -> Router:
    router = Router()
    command.register(app, router)
    contract.register(router)
    home.register(app)
    escalation.register(app)
    incidents.register(app, router)
    points.register(app, router)
    reviews.register(app, router)
    reports.register(router)
    notices.register(app, router)
    plan.register(app, router)
    return router
