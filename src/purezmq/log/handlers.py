"""Log records published on a PUB socket (pyzmq's ``zmq.log.handlers``).

Theory of operation: :class:`PUBHandler` is a :class:`logging.Handler` whose ``emit``
sends each record as a two-frame message, ``[topic, text]``. The topic is
``root_topic.LEVELNAME.subtopic`` (empty parts left out), so that subscribers filter
by prefix: ``b"app.ERROR"`` gets app's errors. A message ``"sub.topic::text"`` logs
``text`` under the subtopic ``sub.topic`` (:class:`TopicLogger` writes them for you).
The text is formatted by the formatter of the record's level (``formatters``), whose
defaults give the file and line of everything but INFO.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from ..constants import SocketType
from ..sugar.context import Context
from ..sugar.socket import Socket

__all__ = ["TOPIC_DELIM", "PUBHandler", "TopicLogger"]

TOPIC_DELIM = "::"  # between a message's subtopic and its text
_PUB = int(SocketType.PUB)

_WHERE = "%(levelname)s %(filename)s:%(lineno)d - %(message)s"


def _default_formatters() -> dict[int, logging.Formatter | None]:
    """One formatter per level, as pyzmq's defaults (so subscribers see the same text)."""
    return {
        logging.DEBUG: logging.Formatter(_WHERE + "\n"),
        logging.INFO: logging.Formatter("%(message)s\n"),
        logging.WARNING: logging.Formatter(_WHERE + "\n"),
        logging.ERROR: logging.Formatter(_WHERE + " - %(exc_info)s\n"),
        logging.CRITICAL: logging.Formatter(_WHERE + "\n"),
    }


class PUBHandler(logging.Handler):
    """A logging handler that publishes records on a PUB socket.

    Parameters
    ----------
    interface_or_socket : str or Socket
        A PUB socket to send on, or an address to bind a new one to.
    context : Context, optional
        Where to make that new socket (default: a new Context).
    root_topic : str
        The first part of every topic (default: none).
    """

    formatters: dict[int, logging.Formatter | None]
    ctx: Context[Any]
    socket: Socket[Any]

    def __init__(
        self,
        interface_or_socket: str | Socket[Any],
        context: Context[Any] | None = None,
        root_topic: str = "",
    ) -> None:
        super().__init__()
        self.root_topic = root_topic
        self.formatters = _default_formatters()
        if isinstance(interface_or_socket, Socket):
            self.socket = interface_or_socket
            self.ctx = self.socket.context
        else:
            self.ctx = context or Context()
            self.socket = self.ctx.socket(_PUB)
            self.socket.bind(interface_or_socket)

    @property
    def root_topic(self) -> str:
        """The first part of every topic this handler publishes ("" for none)."""
        return self._root_topic

    @root_topic.setter
    def root_topic(self, value: str | bytes) -> None:
        self.setRootTopic(value)

    def setRootTopic(self, root_topic: str | bytes) -> None:
        """Set the topic prefix (bytes are decoded as utf-8); "" publishes topics that
        start with the level name."""
        if isinstance(root_topic, bytes):
            root_topic = root_topic.decode("utf8")
        self._root_topic = root_topic

    def setFormatter(self, fmt: logging.Formatter | None, level: int = logging.NOTSET) -> None:
        """Use ``fmt`` for records of ``level``, or for every level if none is given."""
        if level == logging.NOTSET:
            self.formatters = dict.fromkeys(self.formatters, fmt)
        else:
            self.formatters[level] = fmt

    def format(self, record: logging.LogRecord) -> str:
        """The record's text, by its level's formatter.

        A level without one (a custom level, or a formatter set to None) gets
        logging's own formatting.
        """
        formatter = self.formatters.get(record.levelno)
        if formatter is None:
            return super().format(record)
        return formatter.format(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Publish ``[topic, text]`` for the record.

        A record that cannot be formatted or sent (the socket is closed) goes to
        ``handleError``, as with logging's own handlers: logging never raises.
        """
        subtopic, record = _split_subtopic(record)
        parts = [self.root_topic, record.levelname, subtopic]
        topic = ".".join(part for part in parts if part)
        try:
            text = self.format(record).encode("utf8")
            self.socket.send_multipart([topic.encode("utf8", "replace"), text])
        except Exception:
            self.handleError(record)


def _split_subtopic(record: logging.LogRecord) -> tuple[str, logging.LogRecord]:
    """The subtopic of ``"sub::text"`` and a copy of the record holding only the text
    (the record itself if it has no subtopic: other handlers see it unchanged)."""
    subtopic, delim, text = str(record.msg).partition(TOPIC_DELIM)
    if not delim:
        return "", record
    record = copy.copy(record)
    record.msg = text
    return subtopic, record


class TopicLogger(logging.Logger):
    """A Logger whose methods take a topic before the message:
    ``logger.warning("db.pool", "%d connections left", n)`` logs
    ``"db.pool::3 connections left"``, which a PUBHandler publishes under
    ``ROOT.WARNING.db.pool``."""

    def _log_topic(
        self, level: int, topic: str, msg: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        # Two frames of ours lie between the caller and logging: skip them, so that
        # records name the caller's file and line.
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 2
        logging.Logger.log(self, level, f"{topic}{TOPIC_DELIM}{msg}", *args, **kwargs)

    def log(self, level: int, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Log ``msg % args`` at ``level`` under ``topic``."""
        self._log_topic(level, topic, msg, args, kwargs)

    def debug(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Log at DEBUG under ``topic``."""
        self._log_topic(logging.DEBUG, topic, msg, args, kwargs)

    def info(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Log at INFO under ``topic``."""
        self._log_topic(logging.INFO, topic, msg, args, kwargs)

    def warning(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Log at WARNING under ``topic``."""
        self._log_topic(logging.WARNING, topic, msg, args, kwargs)

    warn = warning  # type: ignore[assignment]

    def error(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Log at ERROR under ``topic``."""
        self._log_topic(logging.ERROR, topic, msg, args, kwargs)

    def exception(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Log at ERROR under ``topic``, with the exception being handled."""
        kwargs.setdefault("exc_info", True)
        self._log_topic(logging.ERROR, topic, msg, args, kwargs)

    def critical(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Log at CRITICAL under ``topic``."""
        self._log_topic(logging.CRITICAL, topic, msg, args, kwargs)

    fatal = critical  # type: ignore[assignment]
