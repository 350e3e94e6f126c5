"""Multi-workspace installs (SLACK_CLIENT_ID/SECRET set): where each workspace's bot token lives, and
which token a message the bot posts on its own must carry.

slack_sdk's SQLAlchemy stores keep installs in our database (tables from migration 0003); Bolt
finds the token for requests by itself, but the outbox dispatcher posts outside any request, so
it resolves a channel to its contract's workspace and that workspace's bot token.
"""

from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from domain.contracts.records import Contract, ContractChannel, ContractOption, ContractPerson


class NotInstalled(LookupError):
    """No install of the app covers the workspace a message is for."""


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=settings.client_id or "", engine=engine)


def workspace_clients(db: sessionmaker[Session], store: SQLAlchemyInstallationStore,
                      make_client: Callable[[str], WebClient]) -> Callable[[str], WebClient]:
    """`client_for(channel)`: a client with the bot token of the workspace whose contract owns `channel`
    (a channel id, or a user id for a direct message)."""
    clients: dict[str, WebClient] = {}

    def client_for(channel: str) -> WebClient:
        team = _team_of(db, channel)
        if team is None:
            raise NotInstalled(f"channel {channel} belongs to no contract with a `workspace:`; on a multi-workspace "
                               "install every contract names its Slack workspace")
        bot = store.find_bot(enterprise_id=None, team_id=team)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"the app is not installed in workspace {team} of channel {channel}; "
                               "install it through /slack/install")
        if bot.bot_token not in clients:
            clients[bot.bot_token] = make_client(bot.bot_token)
        return clients[bot.bot_token]
    return client_for


def _team_of(db: sessionmaker[Session], channel: str) -> str | None:
    with db() as session:
        if channel[:1] in ("U", "W"):  # a direct message goes to a person on a contract
            on_contract = or_(
                Contract.id.in_(select(ContractPerson.contract_id).where(ContractPerson.slack_user == channel)),
                Contract.id.in_(select(ContractOption.contract_id).where(ContractOption.person == channel)))
            return session.scalar(select(Contract.team_id).where(on_contract).limit(1))
        return session.scalar(select(Contract.team_id).join(ContractChannel)
                              .where(ContractChannel.channel_id == channel).limit(1))
