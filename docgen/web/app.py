"""The Flask application of ``docgen serve`` and the server that runs it.

Flask serves plain server-rendered pages (Jinja, autoescaped); Flask-WTF's :class:`CSRFProtect`,
Flask's standard extension for it, refuses every POST without the page's token, even on
localhost (a page of another site open in the same browser could otherwise post to it).
"""

from __future__ import annotations

import os
import re
import socket
import webbrowser
from datetime import date
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

# Pillow's image module, loaded here whole: the PDF renderer defers it (docgen/render/_deferred.py)
# with importlib's LazyLoader, which on Python before 3.12.3 is not safe when threads first use
# the module at once, and the server renders in threads
import PIL.Image  # noqa: F401
from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..domain.vietnamese import short_date
from ..errors import DocgenError
from ..pipeline import Engine, Workspace
from .congress import bp as congress_bp
from .dossiers import bp as dossiers_bp
from .importing import bp as importing_bp
from .state import KEY, WebState

HOST = "127.0.0.1"  # never 0.0.0.0: the profiles are personal, the app is for this computer only
# the names a browser on this computer reaches the server by; any other Host header is a page of
# another site whose name was pointed at 127.0.0.1 (DNS rebinding), which could read the profiles
TRUSTED_HOSTS = ("127.0.0.1", "localhost")
MAX_UPLOAD = 20 * 1024 * 1024

ERRORS = {
    400: ("Yêu cầu không hợp lệ", "Trang không đọc được yêu cầu này. Hãy tải lại trang rồi thử lại."),
    404: ("Không có trang này", "Địa chỉ này không có trong docgen. Hãy quay về trang Hồ sơ."),
    405: ("Không làm được thao tác này", "Trang này không nhận thao tác đó. Hãy dùng các nút trên trang."),
    413: ("Tệp quá lớn", "Tệp gửi lên lớn hơn giới hạn {limit} MB. Hãy gửi tệp nhỏ hơn."),
    500: ("Lỗi nội bộ của docgen", "docgen gặp lỗi khi xử lý yêu cầu. Hãy báo lại cho người quản trị, kèm thao tác "
                                   "đã làm (không gửi hồ sơ cá nhân)."),
}
HOST_MESSAGE = ("docgen chỉ trả lời khi được mở bằng địa chỉ http://127.0.0.1:<cổng>/ hoặc http://localhost:<cổng>/ "
                "trên chính máy này. Địa chỉ trang này dùng tên máy khác ({host}), nên docgen không trả lời: hãy mở "
                "lại đúng địa chỉ docgen serve in ra.")
CSRF_MESSAGE = ("Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF), nên docgen không nhận. Hãy tải lại trang rồi "
                "gửi lại.")


def create_app(workspace: Path, *, engine: Engine | None = None, testing: bool = False) -> Flask:
    """The app over the workspace in ``workspace`` (a folder made by ``docgen init``) and
    ``engine`` (default: the packaged forms)."""
    ws = Workspace.find(workspace)
    assert ws is not None  # find() with a folder returns one or raises WorkspaceError
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.urandom(32),  # a new one each start: a page from before a restart must be reloaded
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        TESTING=testing,
        WTF_CSRF_TIME_LIMIT=None,  # a form a secretary keeps open all afternoon still saves
    )
    app.extensions[KEY] = WebState(ws, engine or Engine.open())

    @app.before_request
    def trusted_host_only():
        """Refuse a request whose Host is not this computer's (before the CSRF check, so that a
        rebound page is told this and nothing else)."""
        name = host_name(request.host)
        if name not in TRUSTED_HOSTS:
            return render_template("error.html", title="Không nhận yêu cầu",
                                   message=HOST_MESSAGE.format(host=name[:100] or "trống")), 400
        return None

    CSRFProtect(app)
    app.jinja_env.tests["iso_date"] = lambda text: bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text)))
    app.jinja_env.tests["digits"] = lambda text: bool(re.fullmatch(r"-?\d{1,20}", str(text)))
    app.jinja_env.filters["vn_date"] = lambda text: short_date(date.fromisoformat(text)) if text else ""

    app.register_blueprint(dossiers_bp)
    app.register_blueprint(congress_bp)
    app.register_blueprint(importing_bp)

    @app.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError):
        return render_template("error.html", title="Không nhận biểu mẫu", message=CSRF_MESSAGE), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        title, message = ERRORS.get(code, (f"Lỗi {code}", ERRORS[400][1]))
        return render_template("error.html", title=title,
                               message=message.format(limit=MAX_UPLOAD // (1024 * 1024))), code

    @app.errorhandler(DocgenError)
    def docgen_error(exc: DocgenError):
        return render_template("error.html", title="docgen không làm được việc này", message=str(exc)), 409

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.error("lỗi nội bộ: %s", type(exc).__name__)  # the type only: never a profile
        title, message = ERRORS[500]
        return render_template("error.html", title=title, message=message), 500

    return app


def host_name(host: str) -> str:
    """The name of a Host header without its port, lower case (``LocalHost:8765`` → ``localhost``;
    ``[::1]:8765`` → ``[::1]``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class RouteLogHandler(WSGIRequestHandler):
    """werkzeug's request handler, whose access log names the route a request went to, never its
    path: ``"GET /ho-so/<dossier_id>" 200``. A dossier's id is a person's name and date of birth
    (``ly-thi-y-lan-19900201``), and the log is personal data neither."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        app = self.server.app
        route = "(không có trang)"
        if isinstance(app, Flask) and hasattr(self, "path"):  # no path: the request line was unreadable
            try:
                rule, _ = app.url_map.bind(HOST).match(urlsplit(self.path).path, method=self.command,
                                                       return_rule=True)
                route = rule.rule
            except HTTPException:  # no such page, another method, a redirect to a slash
                pass
        self.log("info", '"%s %s" %s', getattr(self, "command", "-"), route, code)


def bind(app: Flask, port: int) -> BaseWSGIServer:
    """werkzeug's threaded server for ``app`` on 127.0.0.1:``port`` (0: a free port). The socket
    is bound here, so that a taken port is an OSError to report in Vietnamese (werkzeug would
    print its own English line and exit)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if os.name != "nt":  # POSIX: a restart may reuse the port at once; Windows would let two servers share it
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
        return make_server(HOST, sock.getsockname()[1], app, threaded=True, fd=sock.fileno(),
                           request_handler=RouteLogHandler)
    finally:
        sock.close()  # the server holds its own duplicate of the socket


def serve(server: BaseWSGIServer, *, open_browser: bool, echo: Callable[[str], None]) -> None:
    """Say the address, open the browser, serve until Ctrl+C, then close the socket."""
    url = f"http://{HOST}:{server.port}/"
    echo(f"docgen đang chạy tại {url}")
    echo("Mở địa chỉ trên trong trình duyệt. Nhấn Ctrl+C để dừng.")
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    echo("Đã dừng docgen.")
