"""One connection: an asyncio transport, a ZmtpConnection and a pipe to the socket.

Theory of operation (libzmq ``session_base_t`` + ``zmtp_engine``; DESIGN.md):

- Bytes from the transport go into the sans-I/O :class:`ZmtpConnection`, which
  decodes as many messages as the pipe has room for; they are written to the pipe
  at once. When the pipe is at its HWM the rest stays in the connection, undecoded
  (``input_held``), and the transport stops reading until the socket has read down
  to the low-water mark (``write_activated``), as libzmq's engine does. Decoding
  only what fits keeps the messages alive at any time to about one HWM: thousands
  of decoded messages waiting would cost the garbage collector more than decoding.
- Messages are decoded DECODE_BATCH at a time at most; the rest of a read waits
  undecoded (input held, reading paused). The socket's own thread decodes the next
  batch when it finds the pipe empty (the pipe's ``refill`` hook) or reads it down
  to the low-water mark (``write_activated``): ``refill`` decodes under the
  session's lock instead of waking the I/O thread and waiting for it. Both threads
  share one interpreter lock, so a hand-off per batch was two thread switches for
  no parallelism; now the I/O thread is needed once per read, to resume reading.
  Only plain messages are delivered that way: anything else the decoder returns (a
  PING, an ERROR) goes to the I/O thread, in order.
- Messages from the socket are drained from the pipe all at once per wake-up
  (``read_activated``) and written with one ``transport.write``. While the
  transport's buffer is over its limit (``pause_writing``) nothing is drained, so
  the pipe fills and the socket feels the HWM.
- A pipe made at connect() belongs to the :class:`~purezmq.engine.connecter.Connecter`
  and outlives connections; one made at the handshake belongs to the session and
  is terminated with it.
- A faulty peer (any RemoteProtocolError) loses its connection; nothing is raised
  towards the socket. Complete messages already decoded are never dropped.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from ..core.pipe import Msg, Pipe
from ..zmtp import (
    Cancel,
    ConnectionClosed,
    HandshakeComplete,
    PeerError,
    Ping,
    RemoteProtocolError,
    Subscribe,
    ZmtpConnection,
)
from ..zmtp.heartbeat import EXPIRED, PING, Heartbeat
from .iothread import os_lock
from .stream import StreamTransport

if TYPE_CHECKING:
    from .socket_engine import SocketEngine


class Session(asyncio.Protocol):
    """The protocol object of one ZMTP connection."""

    def __init__(
        self,
        engine: SocketEngine,
        endpoint: str,
        pipe: Pipe | None = None,
        on_lost: Callable[[Session], None] | None = None,
    ) -> None:
        self.engine = engine
        self.endpoint = endpoint
        self.pipe = pipe
        self.owns_pipe = pipe is None
        self.on_lost = on_lost
        self.transport: asyncio.Transport | None = None
        self.conn: ZmtpConnection | None = None
        self.ready = False
        self.writing_paused = False
        self.reading_paused = False
        self.backlog: list[Msg] = []
        # Complete messages wait undecoded in conn until the pipe has room.
        self.input_held = False
        # Events a refill decoded that only the loop may handle (see refill).
        self.deferred: list[Any] | None = None
        self.socket_gone = False
        self.handshake_timer: asyncio.TimerHandle | None = None
        self.linger_timer: asyncio.TimerHandle | None = None
        self.heartbeat_timer: asyncio.TimerHandle | None = None
        # Made once heartbeats matter: HEARTBEAT_IVL set, or the peer PINGs with a TTL.
        self.heartbeat: Heartbeat | None = None
        self.translate_subscriptions = engine.core.sends_subscriptions
        # Set by the connecter when this connection replaces a lost one, or is made after
        # the socket closed to deliver what it left queued (LINGER).
        self.reconnected = False
        self.lingering = False
        # CONNECT_ROUTING_ID of the connecter: the routing id our socket gives the peer.
        self.routing_id = b""
        # For the monitor: accepted (bind side) or connected, the fd, and how it ended.
        self.accepted = False
        self.fd = -1
        self.was_ready = False
        self.failed = False
        # Direct sends from the socket's thread (see direct_send). A real lock even under
        # gevent: a greenlet must not wait on a gevent lock the I/O thread holds (iothread.py).
        self.lock = os_lock()
        # The loop has decoded events it delivers outside the lock (see owner_read).
        self.handling = False
        # The socket's thread is in recv(), watching this connection (owner_read), and
        # the loop left the reading to it (yielded) until yield_timer sees it gone:
        # neither waiting at the tick nor come back to wait since the last one
        # (owner_waits counts the waits begun).
        self.owner_waiting = False
        self.owner_waits = 0
        self.waits_seen = 0
        self.owner_reads = 0
        self.yielded = False
        # The socket's thread last read a lot at once (a stream, a big message): the
        # loop reads, until its reads turn short (see owner_read).
        self.bulk_inbound = False
        self.yield_timer: asyncio.TimerHandle | None = None
        self.inbound_since_direct = True
        self.direct_fd = -1
        self.direct_rest = b""
        # The OS socket under an asyncio transport (see abandon).
        self.raw_socket: socket.socket | None = None

    def __repr__(self) -> str:
        state = "ready" if self.ready else "handshaking" if self.transport else "closed"
        return f"<Session {self.endpoint} {state} backlog={len(self.backlog)}>"

    # -- asyncio.Protocol ----------------------------------------------

    def connection_made(self, base: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        transport = cast(asyncio.Transport, base)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None else -1
        self.engine.configure_transport(transport)
        options = self.engine.core.options
        self.conn = ZmtpConnection(
            self.engine.core.type_name,
            identity=options.routing_id,
            maxmsgsize=options.maxmsgsize,
        )
        transport.write(self.conn.data_to_send())
        if options.handshake_ivl > 0:
            self.handshake_timer = self.engine.loop.call_later(
                options.handshake_ivl / 1000, self._handshake_timed_out
            )
        self.engine.session_started(self)

    def data_received(self, data: bytes) -> None:
        conn = self.conn
        if conn is None:
            return
        with self.lock:
            conn.receive_data(data)
        if self.heartbeat is None and not self.input_held and self.deferred is None:
            # _received's common case, inlined: every read of an asyncio connection.
            if self._decode() and self.conn is not None and self.conn.output_waiting:
                self._send_output()
        else:
            self._received()

    def socket_readable(self) -> None:
        """A :class:`StreamTransport` found its socket readable (loop thread): read it
        under the lock, as :meth:`owner_read` does on the socket's thread."""
        transport, conn = self.transport, self.conn
        if not isinstance(transport, StreamTransport) or conn is None:
            return
        if self.owner_waiting and not self.bulk_inbound:
            # The socket's thread woke for these bytes too: it reads them, and the
            # next ones, without this thread (see _yield_tick).
            self.yielded = True
            self.waits_seen = self.owner_waits
            self._update_reading()
            if self.yield_timer is None:
                self.yield_timer = self.engine.loop.call_later(YIELD_CHECK, self._yield_tick)
            return
        with self.lock:
            data = transport.receive(conn.read_hint())
            if data:
                conn.receive_data(data)
        if data is None:
            return  # the socket's thread read it first
        if not data:
            transport.end_of_stream()
            return
        self._received()
        if self.bulk_inbound and len(data) < BULK_READ and not conn.buffered_bytes:
            self.bulk_inbound = False
            if self.pipe is not None and self.ready:
                self.pipe.peer.owner_reader = self  # watched by a waiting thread again

    def _received(self) -> None:
        """Bytes went into the connection (loop thread): decode and deliver them."""
        heartbeat = self.heartbeat
        if heartbeat is not None:
            heartbeat.received(self.engine.loop.time())
        if self.input_held or self.deferred is not None:
            # Left by owner_read: what it decoded goes first, then the rest, in order.
            self.drain_backlog()
            return
        if self._decode() and self.conn is not None and self.conn.output_waiting:
            self._send_output()

    def owner_read(self) -> bool:
        """Read the connection from the socket's own thread, blocked in recv() with its
        pipe empty and this connection's descriptor readable; decode what fits into the
        pipe. True if this session may be watched again, False if the loop must take
        over (the stream ended or failed, or the state is not a plain one).

        Saves the hand-off through the I/O thread (see :mod:`.stream`). Plain messages
        only: anything else the decoder returns, and input beyond a batch, go to the
        loop in order (``deferred``, as :meth:`refill` does).
        """
        with self.lock:
            transport, conn, pipe = self.transport, self.conn, self.pipe
            if (
                not isinstance(transport, StreamTransport)
                or conn is None
                or pipe is None
                or not self.ready
                or self.input_held
                or self.deferred is not None
                or self.handling
                or self.backlog
                or self.bulk_inbound
            ):
                self.owner_release()
                return False
            data = self._receive_from(transport, conn)
            if data is None:
                return True  # the loop read it first; it wakes the socket
            if not data:
                self.owner_reader_off()
                self.engine.schedule(self.socket_readable)  # the loop meets the end too
                return False
            room = _batch(pipe.room())
            events: list[Any] | None = None
            if room:
                try:
                    events = conn.next_events(room)
                except RemoteProtocolError:
                    pass  # the loop's decode meets it again and drops the connection
            if events is not None and conn.messages_returned == len(events):
                if events:
                    self.inbound_since_direct = True
                    self.owner_reads += 1
                    pipe.write_batch(events)
                if conn.limited:
                    # More than a batch: this thread decodes the next one when it has
                    # read this one (refill); the loop only if it reads more first.
                    self.input_held = True
                if len(data) >= BULK_READ or (not events and conn.buffered_bytes >= BULK_READ):
                    # A stream or a big message, not a reply: reading here saves no
                    # hand-off worth having and costs the overlap of the loop's recv()
                    # (outside the interpreter lock) with this thread's work. The loop
                    # reads until one of its reads is short and ends a message.
                    self.bulk_inbound = True
                    self.owner_reader_off()
                    self.owner_release()
                    return False
                return True
            # A command, an error, a full pipe or more than a batch: the loop goes on
            # from here, in order.
            self.deferred = events
            self.input_held = True
        self.engine.schedule(self.drain_backlog)
        return True

    def _yield_tick(self) -> None:
        """Take the reading back once the socket's thread has stopped waiting in recv():
        it is not waiting now and has not come back to wait since the last tick. (A
        thread that answers requests is out of its wait for a moment each time; the
        next request, read by the loop then, would cost a hand-off.)"""
        self.yield_timer = None
        waits = self.owner_waits
        came_back = waits != self.waits_seen
        self.waits_seen = waits
        if self.yielded and (self.owner_waiting or came_back) and self.transport is not None:
            self.yield_timer = self.engine.loop.call_later(YIELD_CHECK, self._yield_tick)
        else:
            self.take_reading_back()

    def take_reading_back(self) -> None:
        """The loop watches the connection again (loop thread)."""
        if self.yield_timer is not None:
            self.yield_timer.cancel()
            self.yield_timer = None
        if self.yielded:
            self.yielded = False
            self._update_reading()
            if self.input_held and not self.reading_paused:
                self.drain_backlog()  # a batch the socket's thread left undecoded

    def owner_release(self) -> None:
        """The socket's thread is about to wait for this connection some other way (a
        poll, a non-blocking recv loop): give the reading back to the loop now."""
        if self.yielded:
            self.engine.schedule(self.take_reading_back)

    def _update_reading(self) -> None:
        """Read from the transport unless the pipe is full or the socket's thread reads."""
        transport = self.transport
        if transport is None:
            return
        want = not self.reading_paused and not self.yielded
        if want != transport.is_reading():
            if want:
                transport.resume_reading()
            else:
                transport.pause_reading()

    def owner_reader_off(self) -> None:
        """Stop the socket's thread from watching this connection."""
        pipe = self.pipe
        if pipe is not None and pipe.peer.owner_reader is self:
            pipe.peer.owner_reader = None

    def _decode(self) -> bool:
        """Deliver what the connection decodes, as far as the pipe has room; hold the
        rest (and stop reading) when it has none. False if the connection failed."""
        conn = self.conn
        while conn is not None:
            try:
                # The lock: a direct send or a refill from the socket's thread uses conn
                # and the pipe too. Plain messages are decoded and delivered under it.
                with self.lock:
                    # How many messages the pipe takes now (-1: no limit; 0: full, wake
                    # me), at most DECODE_BATCH; inlined, since this runs for every read.
                    pipe = self.pipe
                    if pipe is None or not self.ready:
                        room = -1  # the handshake: commands, then what follows them
                    elif self.backlog:
                        room = 0
                    else:
                        # Pipe.room's common case (a limit, room under it) inlined too.
                        flow = pipe._out
                        room = flow.hwm - len(flow.queue)
                        if flow.hwm <= 0 or room <= 0 or not pipe.open:
                            room = pipe.room()
                        if room < 0 or room > DECODE_BATCH:
                            room = DECODE_BATCH
                    if room == 0:
                        self._hold_input()
                        break
                    events = conn.next_events(room)
                    plain = conn.messages_returned == len(events)
                    if events and plain:
                        self._deliver(events)  # type: ignore[arg-type]
                        if conn.limited and self.ready:
                            self._hold_input()  # the socket's thread takes it from here
                            break
                    elif events:
                        # Delivered outside the lock: owner_read waits until they are.
                        self.handling = True
            except RemoteProtocolError as exc:
                self._fail(exc)
                return False
            if not events:
                break
            if not plain:
                handled = self._handle(events)
                self.handling = False
                if not handled:
                    break
            if plain and conn.exhausted:
                break  # all decoded: asking again would find nothing
        return True

    def refill(self) -> bool:
        """Decode held input into the pipe from the socket's thread; False if the loop
        must do it (drain_backlog). Called when the socket read the pipe down to its LWM.
        """
        if not self.lock.acquire(blocking=False):
            # The loop is busy with this session (it may be holding input right now):
            # make sure it looks again, since the reader may go to sleep after this.
            self.engine.schedule(self.drain_backlog)
            return False
        try:
            conn, pipe = self.conn, self.pipe
            if (
                not self.input_held
                or self.deferred is not None
                or conn is None
                or pipe is None
                or self.transport is None
            ):
                return False
            # At 0 the pipe asked to be woken: the next read down to the LWM comes back.
            room = _batch(pipe.room())
            if room == 0:
                return False
            read_here = False
            while True:
                try:
                    events = conn.next_events(room)
                except RemoteProtocolError:
                    self.input_held = False
                    return False  # the loop's drain meets the error again and fails us
                if conn.messages_returned != len(events):
                    self.deferred = events  # input stays held: the loop handles, decodes
                    break
                if events:
                    self.inbound_since_direct = True
                    pipe.write_batch(events)  # type: ignore[arg-type]
                if conn.limited:
                    return True
                # All held input decoded. While the stream keeps coming, the next chunk
                # is read here (the loop's reading is paused): a hand-off to the loop and
                # back would cost more than the read.
                if not read_here and self._read_here(conn):
                    read_here = True
                    if events:
                        return True  # input stays held: the next refill decodes it
                    continue
                self.input_held = False  # all decoded: the loop resumes reading
                break
            self.engine.schedule(self.drain_backlog)
            return bool(events) and self.deferred is None
        finally:
            self.lock.release()

    def _read_here(self, conn: ZmtpConnection) -> bool:
        """One read from the socket's thread while the loop's reading is paused (lock
        held); True if it got bytes. The end of the stream is left to the loop."""
        transport = self.transport
        if not isinstance(transport, StreamTransport) or not self.reading_paused or self.backlog:
            return False
        return bool(self._receive_from(transport, conn))

    def _receive_from(self, transport: StreamTransport, conn: ZmtpConnection) -> bytes | None:
        """One recv() on the socket's thread (lock held), fed to ``conn`` if it got bytes:
        as StreamTransport.receive, None if nothing was there, b"" at the end."""
        data = transport.receive(conn.read_hint())
        if data:
            conn.receive_data(data)
            heartbeat = self.heartbeat
            if heartbeat is not None:
                heartbeat.received(self.engine.loop.time())
        return data

    def _hold_input(self) -> None:
        self.input_held = True
        if not self.reading_paused:
            self.reading_paused = True
            self._update_reading()

    def _send_output(self) -> None:
        """Write what the connection queued (a PONG, handshake commands)."""
        conn = self.conn
        if conn is None:
            return
        with self.lock:
            out = conn.data_to_send()
            if out and self.transport is not None:
                self._write_rest()
                self.transport.write(out)

    def eof_received(self) -> bool | None:
        if self.conn is not None:
            self.data_received(b"")
        return None

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        # Not flush() at once: asyncio calls this from inside its write handler, and a
        # flush that ends by closing the transport there (the socket is gone) makes
        # asyncio run connection_lost twice (CPython gh-156512).
        self.engine.loop.call_soon(self.flush)

    def connection_lost(self, exc: Exception | None) -> None:
        with self.lock:
            self.transport = None
            self.ready = False
            self.direct_fd = -1
        if self.pipe is not None and self.pipe.peer.direct == self.direct_send:
            self.pipe.peer.direct = None
        if self.pipe is not None and self.pipe.peer.refill == self.refill:
            self.pipe.peer.refill = None
        self.owner_reader_off()
        self._cancel_timers()
        pipe = self.pipe
        if pipe is not None:
            deferred, self.deferred = self.deferred, None
            if deferred is not None:
                self._handle(deferred)
            if self.input_held and self.conn is not None:
                self._decode_the_rest(self.conn)
            if self.backlog:
                # Complete messages are delivered even past the HWM: nothing is lost.
                pipe.write_many(self.backlog)
                self.backlog = []
            if self.owns_pipe:
                pipe.terminate()
        self.engine.session_closed(self, exc)
        if self.on_lost is not None:
            self.on_lost(self)

    def _decode_the_rest(self, conn: ZmtpConnection) -> None:
        """The connection is gone: its complete messages still reach the socket."""
        self.input_held = False
        try:
            events = conn.next_events()
        except RemoteProtocolError:
            return
        if events:
            self._handle(events)

    # -- events from the wire ------------------------------------------

    def _handle(self, events: list[Any]) -> bool:
        """Deliver decoded events; False once the connection is ending."""
        start = 0
        for i, event in enumerate(events):
            if type(event) is tuple:
                continue
            if i > start:
                self._deliver(events[start:i])
            start = i + 1
            if isinstance(event, Subscribe):
                self._deliver([[b"\x01" + event.topic]])
            elif isinstance(event, Cancel):
                self._deliver([[b"\x00" + event.topic]])
            elif isinstance(event, HandshakeComplete):
                self._handshake_done(event)
            elif isinstance(event, Ping):
                # The PONG is already queued by the codec; the TTL is the peer's wish
                # that we hang up if we hear nothing from it for that long.
                if event.ttl:
                    if self.heartbeat is None:
                        self.heartbeat = self._new_heartbeat()
                    if self.heartbeat.peer_pinged(event.ttl):
                        self._arm_heartbeat()
            elif isinstance(event, PeerError | ConnectionClosed):
                self.close(abort=False)
                return False
        if start == 0:
            self._deliver(events)
        elif start < len(events):
            self._deliver(events[start:])
        return True

    def _deliver(self, msgs: list[Msg]) -> None:
        """Write messages to the pipe; what does not fit waits, and reading pauses."""
        self.inbound_since_direct = True
        pipe = self.pipe
        backlog = self.backlog
        if not backlog and pipe is not None:
            # A direct receive: one message, nothing older in the pipe (its queue read
            # inline), and a recv() on this thread waiting for it (SocketBase.take_direct).
            take = self.engine.core.take_direct
            if (
                take is not None
                and len(msgs) == 1
                and pipe.open
                and not pipe._out.queue
                and take(pipe.peer, msgs[0])
            ):
                return
            written = pipe.write_batch(msgs)
            while written and written < len(msgs):
                msgs = msgs[written:]
                written = pipe.write_batch(msgs)
            if written == len(msgs):
                return
            msgs = msgs[written:]
        backlog.extend(msgs)
        if not self.reading_paused:
            self.reading_paused = True
            self._update_reading()

    def _handshake_done(self, event: HandshakeComplete) -> None:
        if self.handshake_timer is not None:
            self.handshake_timer.cancel()
            self.handshake_timer = None
        if self.pipe is None:
            self.pipe = self.engine.make_pipe(self, event.properties)
        else:
            self.pipe.peer.properties = dict(event.properties)
            if self.reconnected and self.engine.core.sends_subscriptions:
                # The new peer knows none of our subscriptions (libzmq: pipe hiccup).
                self.engine.core.post_hiccup(self.pipe.peer)
        self.ready = self.was_ready = True
        self.pipe.peer.refill = self.refill
        self.engine.session_ready(self)
        if self.engine.core.options.heartbeat_ivl > 0:
            self.heartbeat = self._new_heartbeat()
            self._arm_heartbeat()
        transport = self.transport
        shared = isinstance(transport, StreamTransport)
        if shared and self.engine.core.direct_send:
            # The socket's thread may read this connection while it waits in recv():
            # the request/reply types, those that direct-send. PULL and SUB receive
            # streams, where the loop's reads overlap with the application's work.
            self.pipe.peer.owner_reader = self
        if self.engine.core.direct_send and transport is not None:
            # Writing to the fd from another thread relies on the transport calling
            # connection_lost (which clears direct_fd under the lock) before it closes
            # the socket: ours and asyncio's do; other loops' transports only get
            # same-thread direct sends.
            sock = transport.get_extra_info("socket")
            if sock is not None and (shared or type(transport).__module__.startswith("asyncio.")):
                self.direct_fd = sock.fileno()
            self.pipe.peer.direct = self.direct_send
        self.flush()

    # -- wake-ups from the socket (any thread) -------------------------

    def read_activated(self, pipe: Pipe) -> None:
        self.engine.schedule(self.flush)

    def write_activated(self, pipe: Pipe) -> None:
        if not self.refill():
            self.engine.schedule(self.drain_backlog)

    def pipe_delimited(self, pipe: Pipe) -> None:
        self.socket_gone = True

    # -- towards the wire (loop thread) --------------------------------

    def flush(self) -> None:
        """Send every message waiting in the pipe, in one write."""
        pipe, conn, transport = self.pipe, self.conn, self.transport
        if not self.ready or self.writing_paused or pipe is None or conn is None:
            if self.socket_gone or (pipe is not None and pipe.delimited):
                self._close_after_flush()
            return
        while not self.writing_paused:
            with self.lock:
                # Read, encode and write under the lock, so that a direct send cannot slip
                # in between and overtake messages already taken from the pipe.
                batch = pipe.read_all()
                if not batch:
                    break
                big = len(batch[0][-1]) >= BIG_MESSAGE
                if big and len(batch) > 1:
                    batch = _first_megabyte(batch, pipe)
                self._write_rest()
                if self.translate_subscriptions:
                    self._send_translated(batch)
                else:
                    conn.send_messages(batch)
                if transport is None:
                    continue
                if big and isinstance(transport, StreamTransport):
                    # Headers and bodies go to sendmsg() as they are: no joined copy.
                    transport.writelines(conn.data_to_send_chunks())
                else:
                    transport.write(conn.data_to_send())
        if self.socket_gone:
            self._close_after_flush()

    def direct_send(self, msg: Msg) -> bool:
        """Write ``msg`` to the connection from the socket's own thread, if that is safe now.

        A request/reply exchange then costs no hand-off to the I/O thread on the way out:
        with nothing queued in the pipe (nor, from another thread, in the transport), the
        message is encoded and handed to the kernel at once. Only after the peer has sent
        something since the last direct send, so that a burst of sends still goes through
        the pipe in batches.
        Returns False (and the caller uses the pipe) whenever any condition fails.
        """
        lock = self.lock
        if not self.inbound_since_direct or not lock.acquire(blocking=False):
            return False
        try:
            transport, conn, pipe = self.transport, self.conn, self.pipe
            if (
                transport is None
                or conn is None
                or pipe is None
                or not self.ready
                or self.writing_paused
                or self.direct_rest
                or pipe._in.queue  # Pipe.queued_in, inlined
            ):
                return False
            if threading.get_ident() == self.engine.thread_id:
                # On the loop's thread (an asyncio socket): what the transport still
                # holds goes out first anyway.
                transport.write(conn.encode(msg))
            elif self.direct_fd < 0 or transport.get_write_buffer_size():
                return False  # the fd is not ours to write, or it would overtake
            else:
                self._write_from_owner(conn.encode(msg))
            self.inbound_since_direct = False
            return True
        finally:
            lock.release()

    def _write_from_owner(self, data: bytes) -> None:
        """Write to the OS socket from the owner's thread (lock held); the loop writes
        what the kernel did not take, before anything else."""
        try:
            sent = os.write(self.direct_fd, data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            sent = 0  # the loop will see the error on its side and close
        if sent < len(data):
            self.direct_rest = data[sent:]
            self.engine.schedule(self._write_rest_locked)

    def _write_rest_locked(self) -> None:
        with self.lock:
            self._write_rest()

    def _write_rest(self) -> None:
        """Hand the unsent tail of a direct send to the transport (lock held)."""
        rest = self.direct_rest
        if rest and self.transport is not None:
            self.direct_rest = b""
            self.transport.write(rest)

    def _send_translated(self, batch: list[Msg]) -> None:
        """SUB/XSUB: subscriptions travel as commands or messages, as the peer understands."""
        conn = self.conn
        assert conn is not None
        for msg in batch:
            first = msg[0] if len(msg) == 1 else b""
            if first[:1] == b"\x01":
                conn.send_subscribe(first[1:])
            elif first[:1] == b"\x00":
                conn.send_cancel(first[1:])
            else:
                conn.send_message(msg)

    def drain_backlog(self) -> None:
        pipe = self.pipe
        backlog = self.backlog
        if pipe is None:
            return
        with self.lock:
            deferred, self.deferred = self.deferred, None
        # Decoded by a refill or an owner_read, for the loop to handle; both wait until
        # it has (input_held stays set until then).
        if deferred is not None and not self._handle(deferred):
            return
        while backlog:
            written = pipe.write_batch(backlog)
            if not written:
                break
            del backlog[:written]
        if backlog:
            return
        with self.lock:
            if self.deferred is not None:
                return  # left by owner_read since: the drain it scheduled goes on
            held, self.input_held = self.input_held, False
        if held:
            if not self._decode():
                return
            self._send_output()
        if not self.input_held and self.reading_paused:
            self.reading_paused = False
            self._update_reading()

    # -- closing ----------------------------------------------------------

    def _close_after_flush(self) -> None:
        """The socket left the pipe: send what is buffered (LINGER), then close."""
        transport = self.transport
        if transport is None:
            return
        linger = self.engine.linger
        if linger == 0 or not self.ready:
            transport.abort()
            return
        if self.pipe is not None and self.pipe.has_pending():
            # Messages read with the delimiter but put back (_first_megabyte) go out at
            # the next resume_writing; the engine's LINGER timer bounds the wait.
            return
        transport.close()
        if linger > 0 and self.linger_timer is None:
            self.linger_timer = self.engine.loop.call_later(linger / 1000, transport.abort)

    def close(self, abort: bool = True) -> None:
        """Drop the connection (the socket is not told: the pipe's fate follows ownership)."""
        transport = self.transport
        if transport is not None:
            if abort:
                transport.abort()
            else:
                transport.close()

    def abandon(self) -> None:
        """The loop this connection ran on is closed: close its socket, and end it as if
        the peer had gone (its transport cannot be used any more)."""
        if self.raw_socket is not None:
            self.raw_socket.close()
        if self.transport is not None:
            self.connection_lost(None)

    def _fail(self, exc: RemoteProtocolError) -> None:
        self.engine.protocol_error(self, exc)
        self.close(abort=True)

    def _handshake_timed_out(self) -> None:
        self.handshake_timer = None
        if not self.ready:
            self.close(abort=True)

    # -- heartbeats (RFC 37 PING/PONG; HEARTBEAT_IVL, _TTL, _TIMEOUT) -------------

    def _new_heartbeat(self) -> Heartbeat:
        transport = self.transport
        if isinstance(transport, StreamTransport):
            # A heartbeat counts every octet received; a body awaited whole would hide
            # the octets of a slowly arriving one until it is all there.
            transport.read_bodies_as_they_come()
        options = self.engine.core.options
        return Heartbeat(
            options.heartbeat_ivl,
            options.heartbeat_timeout,
            options.heartbeat_ttl,
            self.engine.loop.time(),
        )

    def _arm_heartbeat(self) -> None:
        """One timer, at the heartbeat's next deadline."""
        if self.heartbeat_timer is not None:
            self.heartbeat_timer.cancel()
            self.heartbeat_timer = None
        heartbeat = self.heartbeat
        if heartbeat is None or self.transport is None:
            return
        deadline = heartbeat.next_deadline()
        if deadline is not None:
            self.heartbeat_timer = self.engine.loop.call_at(deadline, self._heartbeat)

    def _heartbeat(self) -> None:
        """Hang up on a silent peer, or PING it when a PING is due; then wait again."""
        self.heartbeat_timer = None
        conn, transport, heartbeat = self.conn, self.transport, self.heartbeat
        if conn is None or transport is None or heartbeat is None:
            return
        action = heartbeat.poll(self.engine.loop.time())
        if action is EXPIRED:
            self.close(abort=True)
            return
        if action is PING:
            with self.lock:
                conn.send_ping(heartbeat.ttl)
                self._write_rest()
                transport.write(conn.data_to_send())
        self._arm_heartbeat()

    def _cancel_timers(self) -> None:
        for timer in (
            self.handshake_timer,
            self.linger_timer,
            self.heartbeat_timer,
            self.yield_timer,
        ):
            if timer is not None:
                timer.cancel()
        self.handshake_timer = self.linger_timer = self.heartbeat_timer = None


# The most messages decoded at a time. A batch that the socket consumes before the
# cyclic GC's first generation fills (700 container allocations: each message is a
# list) never triggers a collection; a whole HWM of decoded messages waiting did, and
# the collections cost more than the decoding (a single-thread model of the receiver:
# 650 -> 340 ns per 16-byte message).
DECODE_BATCH = 256


# An owner_read that gets this much at once (or finds a message this big in flight)
# gives the reading back to the loop.
BULK_READ = 65536
# How often a loop that left the reading to the socket's thread looks whether that
# thread still waits in recv(); when it does not, the loop reads again. Bounds how
# late a PING, a disconnection or a message for a poller is seen.
YIELD_CHECK = 0.002


def _batch(room: int) -> int:
    """A pipe's room (-1: unlimited) capped at DECODE_BATCH."""
    return DECODE_BATCH if room < 0 or room > DECODE_BATCH else room


# Big messages are written about a megabyte at a time, so that the transport's buffer
# (and its pause_writing) bounds what leaves the pipe: the rest stays there, under the HWM.
BIG_MESSAGE = 65536
WRITE_CHUNK = 1 << 20


def _first_megabyte(batch: list[Msg], pipe: Pipe) -> list[Msg]:
    """The leading messages of ``batch`` up to WRITE_CHUNK bytes; the rest goes back."""
    total = 0
    for i, msg in enumerate(batch):
        total += sum(map(len, msg))
        if total >= WRITE_CHUNK:
            pipe.unread(batch[i + 1 :])
            return batch[: i + 1]
    return batch


def set_tcp_options(sock: socket.socket, options: Any) -> None:
    """TCP_NODELAY (as libzmq), buffer sizes and keep-alive from the socket options."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if options.tcp_keepalive != -1:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, options.tcp_keepalive)
        if options.tcp_keepalive == 1:
            for name, value in (
                ("TCP_KEEPCNT", options.tcp_keepalive_cnt),
                ("TCP_KEEPIDLE", options.tcp_keepalive_idle),
                ("TCP_KEEPINTVL", options.tcp_keepalive_intvl),
            ):
                if value != -1 and hasattr(socket, name):
                    sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    if options.sndbuf > 0:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, options.sndbuf)
    if options.rcvbuf > 0:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, options.rcvbuf)
