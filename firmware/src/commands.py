"""Runs remote commands (reboot, identify, set_config, sync_time, clear_outbox) and acks each one."""

import asyncio
import json

import config
import log
from micropython import const

TYPE_CHECKING = const(False)  # True for mypy; mpy-cross drops `if TYPE_CHECKING:` blocks

if TYPE_CHECKING:
    from typing import Any

_MAX_PAYLOAD = const(1024)
_QUEUE = const(4)


class Commands:
    """Queues incoming cmd payloads (bounded) and runs them one at a time in a task of their own."""

    def __init__(self, app: "Any") -> None:
        self._app = app
        self._queue: "list[bytes]" = []
        self._task: "Any" = None
        self.handled = 0

    def submit(self, payload: bytes) -> None:
        """Accept a cmd payload from the MQTT reader; never blocks, drops when flooded."""
        if len(self._queue) >= _QUEUE:
            log.warn("cmd", "cmd_dropped", "reason=queue_full")
            return
        self._queue.append(payload)
        if self._task is None:
            self._task = asyncio.create_task(self.drain())

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
        try:
            while self._queue:
                await self.handle(self._queue.pop(0))
        finally:
            self._task = None
            self._app.commands = None  # the module goes with it (RAM) until the next cmd

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
        # Handlers are named after their command; the check comes first so that a payload
        # never makes getattr intern a new name (RAM that would never be freed).
        if cmd not in ("reboot", "identify", "set_config", "sync_time", "clear_outbox"):
            self._ack(cmd_id, "unknown_cmd")
            return
        handler = getattr(self, cmd)
        log.info("cmd", "cmd_received", "cmd_id=%s cmd=%s" % (cmd_id, cmd))
        try:
            await handler(cmd_id, args)
        except Exception as e:  # supervisor boundary: the device keeps running, the backend learns
            log.exc("cmd", "cmd_failed", e)
            self._ack(cmd_id, "internal: " + type(e).__name__)

    async def reboot(self, cmd_id: str, args: dict) -> None:
        self._ack(cmd_id, None)
        await self._app.restart("reboot")

    async def identify(self, cmd_id: str, args: dict) -> None:
        self._app.feedback.play("identify")
        self._ack(cmd_id, None)

    async def sync_time(self, cmd_id: str, args: dict) -> None:
        self._ack(cmd_id, None if self._app.clock.sync_now() else "ntp_failed")

    async def clear_outbox(self, cmd_id: str, args: dict) -> None:
        n = self._app.outbox.clear()
        self._app.uplink.reset_cursor()
        log.warn("cmd", "outbox_cleared", "dropped=%d" % n)
        self._ack(cmd_id, None)

    async def set_config(self, cmd_id: str, args: dict) -> None:
        app = self._app
        cfg = app.cfg
        rules = config.rules()  # loaded for this command only
        try:
            rules.validate(cfg, args)
        except ValueError as e:
            self._ack(cmd_id, "bad_config: " + str(e))
            return
        restart = rules.needs_restart(cfg, args)
        old = {key: getattr(cfg, key) for key in args}
        cfg.update(args)  # in place: no copy of the whole configuration
        try:
            config.save(app.config_path, cfg, rules.keys())
        except OSError:
            cfg.update(old)  # not on flash: keep running with what is
            raise
        del rules
        log.set_level(cfg.log_level)
        log.info("cmd", "config_saved", "keys=%s restart=%d" % (",".join(sorted(args)), restart))
        self._ack(cmd_id, None)
        if restart:
            await app.restart("config")
