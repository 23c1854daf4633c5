"""Runs remote commands (reboot, identify, set_config, sync_time, clear_outbox) and acks each one."""

import json

import config
import log

try:
    from typing import TYPE_CHECKING
except ImportError:
    TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

_MAX_PAYLOAD = 1024
_QUEUE = 4


class Commands:
    """Queues incoming cmd payloads (bounded); the app supervisor runs them one at a time."""

    def __init__(self, app: "Any") -> None:
        self._app = app
        self._queue: "list[bytes]" = []
        self.handled = 0

    def submit(self, payload: bytes) -> None:
        """Accept a cmd payload from the MQTT reader; never blocks, drops when flooded."""
        if len(self._queue) >= _QUEUE:
            log.warn("cmd", "cmd_dropped", "reason=queue_full")
            return
        self._queue.append(payload)
        self._app.wake()

    def _ack(self, cmd_id: str, error: "str | None") -> None:
        if error is not None:
            error = error[:200]
        payload = json.dumps(
            {
                "v": 1,
                "cmd_id": cmd_id,
                "ok": error is None,
                "error": error,
                "ts": self._app.clock.ts_json(),
            },
            separators=(",", ":"),
        )
        self._app.uplink.queue_ack(payload.encode())
        log.info("cmd", "cmd_done", "cmd_id=%s ok=%d error=%s" % (cmd_id, error is None, error))

    async def drain(self) -> None:
        """Execute every queued command; a failing handler becomes an error ack."""
        while self._queue:
            await self.handle(self._queue.pop(0))

    async def handle(self, payload: bytes) -> None:
        """Validate one cmd payload and dispatch it."""
        self.handled += 1
        if len(payload) > _MAX_PAYLOAD:
            log.warn("cmd", "cmd_invalid", "reason=oversize bytes=%d" % len(payload))
            return
        try:
            msg = json.loads(payload)
        except ValueError:
            log.warn("cmd", "cmd_invalid", "reason=bad_json")
            return
        cmd_id = msg.get("cmd_id") if type(msg) is dict else None
        if type(cmd_id) is not str or not 1 <= len(cmd_id) <= 40:
            log.warn("cmd", "cmd_invalid", "reason=no_cmd_id")  # nothing to address an ack to
            return
        if msg.get("v") != 1:
            self._ack(cmd_id, "unsupported_version")
            return
        args = msg.get("args", {})
        if args is None:
            args = {}
        if type(args) is not dict:
            self._ack(cmd_id, "bad_args: args must be an object")
            return
        cmd = msg.get("cmd")
        handler = (
            {
                "reboot": self._reboot,
                "identify": self._identify,
                "set_config": self._set_config,
                "sync_time": self._sync_time,
                "clear_outbox": self._clear_outbox,
            }.get(cmd)
            if type(cmd) is str
            else None
        )
        if handler is None:
            self._ack(cmd_id, "unknown_cmd")
            return
        log.info("cmd", "cmd_received", "cmd_id=%s cmd=%s" % (cmd_id, cmd))
        try:
            await handler(cmd_id, args)
        except Exception as e:  # supervisor boundary: the device keeps running, the backend learns
            log.exc("cmd", "cmd_failed", e)
            self._ack(cmd_id, "internal: " + type(e).__name__)

    async def _reboot(self, cmd_id: str, args: dict) -> None:
        self._ack(cmd_id, None)
        await self._app.restart("reboot")

    async def _identify(self, cmd_id: str, args: dict) -> None:
        self._app.feedback.play("identify")
        self._ack(cmd_id, None)

    async def _sync_time(self, cmd_id: str, args: dict) -> None:
        self._ack(cmd_id, None if self._app.timesync.sync_now() else "ntp_failed")

    async def _clear_outbox(self, cmd_id: str, args: dict) -> None:
        n = self._app.outbox.clear()
        self._app.uplink.reset_cursor()
        log.warn("cmd", "outbox_cleared", "dropped=%d" % n)
        self._ack(cmd_id, None)

    async def _set_config(self, cmd_id: str, args: dict) -> None:
        app = self._app
        try:
            new = app.cfg.updated(args)
        except ValueError as e:
            self._ack(cmd_id, "bad_config: " + str(e))
            return
        restart = app.cfg.needs_restart(args)
        config.save(app.config_path, new)
        app.cfg.replace(new)
        log.set_level(app.cfg.log_level)
        log.info("cmd", "config_saved", "keys=%s restart=%d" % (",".join(sorted(args)), restart))
        self._ack(cmd_id, None)
        if restart:
            await app.restart("config")
