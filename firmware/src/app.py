"""Boots the reader: config and hardware first, then the running app (runtime.App); resets after a crash.

The order saves RAM: loading the config and choosing the hardware layer is code used once
and dropped again. Done before the app's modules are imported, its RAM is reused by them
instead of leaving gaps between them (a fragmented heap cannot load anything bigger later).
"""

import asyncio
import gc
import sys
import time

import config
import log


def main(config_path: str = "config.json", free_before_import: int = 0) -> None:
    """Load the config, build the hardware layer and run; reset after an unexpected crash."""
    gc.collect()
    free_at_start = free_before_import or gc.mem_free()
    cfg = config.load(config_path)
    log.set_level(cfg.log_level)
    import hal

    hw = hal.load()(cfg)
    del hal, sys.modules["hal"]
    gc.collect()
    try:
        from runtime import App

        app = App(cfg, hw, config_path)
        gc.collect()
        log.info(
            "app",
            "memory",
            "heap_free=%d used_by_app=%d" % (gc.mem_free(), free_at_start - gc.mem_free()),
        )
        asyncio.run(app.run())
    except Exception as e:  # last resort: log, pause so a crash cannot spin, reset
        log.exc("app", "crashed", e)
        time.sleep_ms(10000)
        hw.reset()
