"""What every page of the running app shares: its workspace and its engine, and the lock that
keeps one pipeline call at a time (the server answers on several threads; the engine compiles
templates and opens the workspace's database lazily, and a secretary's single browser never
needs two papers rendered at once)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app

from ..pipeline import Engine, Workspace

KEY = "docgen"


@dataclass
class WebState:
    workspace: Workspace
    engine: Engine
    lock: threading.RLock = field(default_factory=threading.RLock)


def web_state() -> WebState:
    """The state of the app handling the current request."""
    return current_app.extensions[KEY]


def current_workspace() -> Workspace:
    return web_state().workspace


def current_engine() -> Engine:
    return web_state().engine
