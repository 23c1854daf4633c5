"""Builds the ordered list of commands that flash one reader (pure: nothing runs here)."""

from dataclasses import dataclass
from pathlib import Path

from tools.flash.device_config import FIRMWARE

# Where the MicroPython image starts (esptool docs): classic ESP32 at 0x1000, newer chips at 0.
FLASH_OFFSETS = {"esp32": "0x1000", "esp32s2": "0x1000", "esp32s3": "0x0", "esp32c3": "0x0"}


@dataclass(frozen=True, slots=True)
class Step:
    """One command with a human title; `local` steps do not need the board."""

    title: str
    argv: tuple[str, ...]
    local: bool = False


@dataclass(frozen=True, slots=True)
class FlashOptions:
    """Everything a flash run needs to know."""

    port: str
    image: Path | None
    config_file: Path
    build_dir: Path
    chip: str = "esp32"
    baud: int = 460800
    erase: bool = True
    tools_bin: Path = Path()


# How every app module is compiled, for the board and for the unix-port tests alike: -O3 drops
# line numbers (bytecode that would sit in RAM), and `-s` names the source after the module,
# whose name is interned anyway, so it costs no extra qstr. Bytecode-only .mpy files ignore
# -march, so the unix port loads these same files.
MPY_CROSS_FLAGS = ("-O3", "-march=xtensawin")


def module_name(py: Path, src: Path) -> str:
    """Return the dotted module name of `py` below `src` (a package's `__init__` is the package)."""
    parts = py.relative_to(src).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def mpy_cross_argv(mpy_cross: Path, py: Path, src: Path, out: Path) -> tuple[str, ...]:
    """Return the mpy-cross command that compiles `py` (a module below `src`) to `out`."""
    return (str(mpy_cross), *MPY_CROSS_FLAGS, "-s", module_name(py, src), str(py), "-o", str(out))


def app_sources(src: Path = FIRMWARE / "src") -> list[Path]:
    """Return the firmware app modules in a stable order."""
    return sorted(p for p in src.rglob("*.py") if "__pycache__" not in p.parts)


def compile_steps(opts: FlashOptions, src: Path = FIRMWARE / "src") -> list[Step]:
    """Return one mpy-cross step per app module, writing build_dir/lib/<module>.mpy."""
    steps = []
    for py in app_sources(src):
        out = opts.build_dir / "lib" / py.relative_to(src).with_suffix(".mpy")
        argv = mpy_cross_argv(opts.tools_bin / "mpy-cross", py, src, out)
        steps.append(Step(f"compile {py.relative_to(src)}", argv, local=True))
    return steps


def build_plan(opts: FlashOptions) -> list[Step]:
    """Return erase, write, compile, upload and reset steps for one board."""
    if opts.chip not in FLASH_OFFSETS:
        raise ValueError(f"unsupported chip {opts.chip!r}; one of {sorted(FLASH_OFFSETS)}")
    esptool = (str(opts.tools_bin / "esptool"), "--chip", opts.chip, "--port", opts.port)
    mpremote = (str(opts.tools_bin / "mpremote"), "connect", opts.port)
    steps: list[Step] = []
    if opts.image is not None:
        if opts.erase:
            steps.append(Step("erase flash", (*esptool, "erase-flash")))
        write = ("--baud", str(opts.baud), "write-flash", "-z", FLASH_OFFSETS[opts.chip])
        steps.append(Step("write MicroPython image", (*esptool, *write, str(opts.image))))
    steps += compile_steps(opts)
    lib = opts.build_dir / "lib"
    steps.append(Step("upload app modules to :lib", (*mpremote, "fs", "cp", "-r", str(lib), ":")))
    for name in ("boot.py", "main.py"):
        src = str(FIRMWARE / name)
        steps.append(Step(f"upload {name}", (*mpremote, "fs", "cp", src, ":" + name)))
    config = str(opts.config_file)
    steps.append(Step("upload config.json", (*mpremote, "fs", "cp", config, ":config.json")))
    steps.append(Step("reset the board", (*mpremote, "reset")))
    return steps
